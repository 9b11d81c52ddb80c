{{/* The service's name: the chart's name unless overridden. */}}
{{- define "common.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "common.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "common.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "common.labels" -}}
app.kubernetes.io/name: {{ include "common.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: cognive
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "common.selectorLabels" -}}
app.kubernetes.io/name: {{ include "common.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "common.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* COGNIVE_<SERVICE>_* settings: plain values from .Values.settings, secrets by reference. */}}
{{- define "common.env" -}}
{{- $prefix := printf "COGNIVE_%s_" (upper .Values.service) -}}
{{- range $key, $value := .Values.settings }}
- name: {{ printf "%s%s" $prefix (upper $key) }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- range $key, $ref := .Values.secretSettings }}
- name: {{ printf "%s%s" $prefix (upper $key) }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.secret }}
      key: {{ $ref.key }}
{{- end }}
- name: {{ printf "%sHTTP_HOST" $prefix }}
  value: "0.0.0.0"
- name: {{ printf "%sHTTP_PORT" $prefix }}
  value: {{ .Values.port | quote }}
{{- end -}}
