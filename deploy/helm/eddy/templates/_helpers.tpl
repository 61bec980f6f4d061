{{- define "eddy.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "eddy.labels" -}}
app.kubernetes.io/name: eddy
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "eddy.selector" -}}
app.kubernetes.io/name: eddy
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* The rules the operator needs in every namespace it serves. */}}
{{- define "eddy.namespacedRules" -}}
- apiGroups: [data.fluid.io]
  resources: [datasets, dataloads, jindoruntimes, alluxioruntimes]
  verbs: [get, list, watch, patch]
- apiGroups: [data.fluid.io]
  resources: [datasets/status, dataloads/status, jindoruntimes/status, alluxioruntimes/status]
  verbs: [get, patch, update]
- apiGroups: [data.fluid.io]
  resources: [datasets/finalizers, jindoruntimes/finalizers, alluxioruntimes/finalizers]
  verbs: [update]
- apiGroups: [data.eddy.dev]
  resources: [eddyruntimes]
  verbs: [get, list, watch, patch]
- apiGroups: [data.eddy.dev]
  resources: [eddyruntimes/status]
  verbs: [get, patch, update]
- apiGroups: [data.eddy.dev]
  resources: [eddyruntimes/finalizers]
  verbs: [update]
# Secrets: read the ones Datasets name in encryptOptions, write the generated per-role credentials.
- apiGroups: [""]
  resources: [secrets, services, persistentvolumeclaims]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [apps]
  resources: [statefulsets, daemonsets]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [get, create, update, patch]
{{- end -}}

{{/* The Secret holding the scrape token Prometheus presents to every component's /metrics. */}}
{{- define "eddy.scrapeSecret" -}}
{{ .Values.metrics.scrapeToken.existingSecret | default (printf "%s-eddy-metrics" .Release.Name) }}
{{- end -}}
