{{/* Relays, projection runners and other singletons hold leader locks (ARCHITECTURE §2),
so any number of replicas is safe: the HPA may scale consumers and the API freely. */}}
{{- define "common.hpa" -}}
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "common.fullname" . }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "common.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end -}}

{{- define "common.pdb" -}}
{{- if .Values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "common.fullname" . }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "common.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Optional KEDA autoscaling on the depth of the service's main queue: consumers run in
every replica, so more replicas drain a backlog faster. KEDA owns its own HPA, so the CPU
HPA above must be off when this is on. The broker URL comes from the service's Secret. */}}
{{- define "common.keda" -}}
{{- if .Values.keda.enabled }}
{{- if .Values.autoscaling.enabled }}
{{- fail "keda.enabled and autoscaling.enabled are exclusive: KEDA creates its own HPA" }}
{{- end }}
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: {{ include "common.fullname" . }}-rabbitmq
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  secretTargetRef:
    - parameter: host
      name: {{ .Values.secretSettings.rabbitmq_url.secret }}
      key: {{ .Values.secretSettings.rabbitmq_url.key }}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "common.fullname" . }}
  labels:
    {{- include "common.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    name: {{ include "common.fullname" . }}
  minReplicaCount: {{ .Values.keda.minReplicas }}
  maxReplicaCount: {{ .Values.keda.maxReplicas }}
  triggers:
    - type: rabbitmq
      metadata:
        protocol: amqp
        mode: QueueLength
        value: {{ .Values.keda.messagesPerReplica | quote }}
        queueName: {{ printf "%s%s" (.Values.settings.amqp_prefix | default "") .Values.keda.queue | quote }}
      authenticationRef:
        name: {{ include "common.fullname" . }}-rabbitmq
{{- end }}
{{- end -}}
