{{/*
Chart name, for app.kubernetes.io/name.
*/}}
{{- define "jit-admission.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every object name: the release name, plus the chart name unless the release name holds it already.
Kept to 56 characters so that "<fullname>-tls" and the other suffixed names stay valid DNS labels.
*/}}
{{- define "jit-admission.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 56 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 56 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 56 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
helm.sh/chart label value.
*/}}
{{- define "jit-admission.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that select this release's pods. Never change them: a Deployment's selector is immutable.
*/}}
{{- define "jit-admission.selectorLabels" -}}
app.kubernetes.io/name: {{ include "jit-admission.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Standard labels on every object.
*/}}
{{- define "jit-admission.labels" -}}
helm.sh/chart: {{ include "jit-admission.chart" . }}
{{ include "jit-admission.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: jit-admission
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Standard labels plus app.kubernetes.io/component: include "jit-admission.componentLabels" (list . "webhook").
*/}}
{{- define "jit-admission.componentLabels" -}}
{{ include "jit-admission.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "jit-admission.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "jit-admission.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Name of the Service in front of the pods, passed to the program as --service-name. */}}
{{- define "jit-admission.serviceName" -}}
{{- include "jit-admission.fullname" . }}
{{- end }}

{{/* Name of both webhook configurations (cluster-scoped), passed as --webhook-config-name. */}}
{{- define "jit-admission.webhookConfigName" -}}
{{- include "jit-admission.fullname" . }}
{{- end }}

{{/* The certificate Secret: self-managed by the program (--cert-secret) or the cert-manager target. */}}
{{- define "jit-admission.tlsSecretName" -}}
{{- printf "%s-tls" (include "jit-admission.fullname" .) }}
{{- end }}

{{/* The leader-election Lease (LeaderElection:LeaseName). */}}
{{- define "jit-admission.leaseName" -}}
{{- include "jit-admission.fullname" . }}
{{- end }}

{{- define "jit-admission.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Grace period: long enough for the preStop sleep, the longest held call and the Lease hand-over.
*/}}
{{- define "jit-admission.minimumGracePeriod" -}}
{{- add .Values.preStopSleepSeconds .Values.webhook.timeoutSeconds 5 }}
{{- end }}

{{- define "jit-admission.terminationGracePeriodSeconds" -}}
{{- $minimum := include "jit-admission.minimumGracePeriod" . | int }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add .Values.preStopSleepSeconds .Values.webhook.timeoutSeconds 10 }}
{{- else if lt (int .Values.terminationGracePeriodSeconds) $minimum }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be at least preStopSleepSeconds + webhook.timeoutSeconds + 5 = %d, or the pod is killed while it still answers held calls" (int .Values.terminationGracePeriodSeconds) $minimum) }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/*
Runtime objects (certificate Secret, Lease): the chart creates them empty and the program fills them in.
With server-side apply (Helm 4's default), Helm owns exactly the fields it applied until another manager
changes them; applying a field another manager now owns fails with a conflict, and leaving out a field Helm
still owns removes it. So on upgrades the chart re-applies only the placeholder fields Helm still owns.
With client-side apply (releases installed by Helm 3 or with --server-side=false), Helm patches the
difference between the previous manifest, the new one and the live object: leaving a field out deletes
it, so the chart renders the live values instead (a patch that changes nothing).

"jit-admission.helmAppliedFields" takes the live object (lookup result, empty when absent or when
rendering without a cluster) and returns, as JSON, the fieldsV1 of the server-side apply entry that owns
Helm's release annotation: {} when the object does not exist or was applied client-side.
*/}}
{{- define "jit-admission.helmAppliedFields" -}}
{{- $fields := dict }}
{{- range (dig "metadata" "managedFields" (list) .) }}
{{- if and (eq (.operation | default "") "Apply") (hasKey (dig "fieldsV1" "f:metadata" "f:annotations" (dict) .) "f:meta.helm.sh/release-name") }}
{{- $fields = .fieldsV1 }}
{{- end }}
{{- end }}
{{- toJson $fields }}
{{- end }}

{{/*
The placeholder fields of a runtime object to render: include "jit-admission.runtimeFields" (dict
"live" LOOKUP "section" "data" "placeholders" (dict FIELD VALUE ...)). Returns YAML (a map, possibly empty).
*/}}
{{- define "jit-admission.runtimeFields" -}}
{{- $live := .live }}
{{- $liveSection := dig .section (dict) $live }}
{{- $applied := include "jit-admission.helmAppliedFields" $live | fromJson }}
{{- $appliedSection := dig (printf "f:%s" .section) (dict) $applied }}
{{- $out := dict }}
{{- range $field, $placeholder := .placeholders }}
{{- if not $live }}
{{- $_ := set $out $field $placeholder }}
{{- else if $applied }}
{{- if hasKey $appliedSection (printf "f:%s" $field) }}
{{- $_ := set $out $field $placeholder }}
{{- end }}
{{- else if hasKey $liveSection $field }}
{{- $_ := set $out $field (get $liveSection $field) }}
{{- else }}
{{- $_ := set $out $field $placeholder }}
{{- end }}
{{- end }}
{{- if $out }}
{{- toYaml $out }}
{{- end }}
{{- end }}

{{/*
Combinations the schema cannot express; rendered from deployment.yaml so that every render checks them.
*/}}
{{- define "jit-admission.validate" -}}
{{- if and (not .Values.leaderElection.enabled) (gt (int .Values.replicaCount) 1) }}
{{- fail "leaderElection.enabled=false needs replicaCount=1: without the Lease every replica would run the controller" }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (gt (int .Values.replicaCount) 1) (ge (int .Values.podDisruptionBudget.minAvailable) (int .Values.replicaCount)) }}
{{- fail (printf "podDisruptionBudget.minAvailable (%d) must be below replicaCount (%d), or no node could ever be drained" (int .Values.podDisruptionBudget.minAvailable) (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.metrics.enabled (eq (int .Values.metrics.port) 8443) }}
{{- fail "metrics.port must differ from the webhook port 8443" }}
{{- end }}
{{- end }}
