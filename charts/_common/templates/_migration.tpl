{{/* Migrations before the new pods start (pre-install / pre-upgrade hook). The service
also migrates at start-up under an advisory lock, so this Job is an early, visible
failure point rather than a requirement. */}}
{{- define "common.migrationjob" -}}
{{- if .Values.migrationJob.enabled }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "common.fullname" . }}-migrate
  labels:
    {{- include "common.labels" . | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 3
  template:
    metadata:
      labels:
        {{- include "common.selectorLabels" . | nindent 8 }}
        app.kubernetes.io/component: migration
    spec:
      restartPolicy: OnFailure
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: migrate
          image: {{ include "common.image" . }}
          command: ["cognive-admin", "{{ .Values.service }}", "migrate"]
          env:
            {{- include "common.env" . | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: ["ALL"]}
{{- end }}
{{- end -}}

{{/* Everything a service chart renders. */}}
{{- define "common.all" -}}
{{ include "common.deployment" . }}
---
{{ include "common.service" . }}
{{- with (include "common.hpa" .) }}
---
{{ . }}
{{- end }}
{{- with (include "common.keda" .) }}
---
{{ . }}
{{- end }}
{{- with (include "common.pdb" .) }}
---
{{ . }}
{{- end }}
{{- with (include "common.servicemonitor" .) }}
---
{{ . }}
{{- end }}
{{- with (include "common.networkpolicy" .) }}
---
{{ . }}
{{- end }}
{{- with (include "common.migrationjob" .) }}
---
{{ . }}
{{- end }}
{{- end -}}
