#!/usr/bin/env bash
# make demo: the whole JitAdmission story on a local API server (kube-sandbox, RBAC enforced), in about a minute.
#   admin installs the chart and a policy -> jit-admission runs as its ServiceAccount -> alice's change is held ->
#   bob approves with `kubectl jit` -> the change goes through -> the same change again needs a new approval -> the
#   audit trail (the records, their Events and jit-admission's JSON audit lines).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SANDBOX_HOME=${KUBE_SANDBOX_HOME:-$(cd "$ROOT/.." && pwd)/shared/kube-sandbox}
CONFIG=${CONFIG:-Release}
[ -x "$SANDBOX_HOME/up" ] || { echo "kube-sandbox not found at $SANDBOX_HOME (set KUBE_SANDBOX_HOME)" >&2; exit 1; }

bold=$'\e[1m'; dim=$'\e[2m'; green=$'\e[32m'; yellow=$'\e[33m'; reset=$'\e[0m'
[ -t 1 ] || { bold=; dim=; green=; yellow=; reset=; }
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
say()  { printf '%s%s%s\n' "$dim" "$*" "$reset"; }
as()   { local who=$1; shift; printf '%s%s$ kubectl %s%s\n' "$yellow" "$who" "$*" "$reset"; KUBECONFIG="$WORK/$who.kubeconfig" "$KUBECTL" "$@"; }

eval "$("$SANDBOX_HOME/tools.sh")"
step "Building jit-admission and the kubectl-jit plugin ($CONFIG)"
dotnet build "$ROOT/src/JitAdmission" -c "$CONFIG" -v quiet -nologo >/dev/null
dotnet build "$ROOT/src/JitAdmission.Cli" -c "$CONFIG" -v quiet -nologo >/dev/null
BIN="$ROOT/src/JitAdmission/bin/$CONFIG/net10.0"
PLUGIN_DIR="$ROOT/src/JitAdmission.Cli/bin/$CONFIG/net10.0"
export PATH="$PLUGIN_DIR:$PATH"   # kubectl finds plugins named kubectl-<name> on PATH

WORK=$(mktemp -d /tmp/jit-demo.XXXXXX)
JIT_PID=
cleanup() {
  [ -n "$JIT_PID" ] && kill "$JIT_PID" 2>/dev/null && wait "$JIT_PID" 2>/dev/null || true
  "$SANDBOX_HOME/down" "$WORK/sandbox" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
T0=$(date +%s)

step "Starting a local Kubernetes API server (kube-sandbox) with RBAC enforced"
"$SANDBOX_HOME/up" "$WORK/sandbox" --rbac >/dev/null
cp "$WORK/sandbox/admin.kubeconfig" "$WORK/admin.kubeconfig"
for u in "alice devs" "bob sre" "carol security"; do
  set -- $u
  cp "$("$SANDBOX_HOME/mkuser" "$WORK/sandbox" "$@")" "$WORK/$1.kubeconfig"
done
say "users: admin (system:masters, the cluster owner), alice (devs, the requester), bob (sre, an approver), carol (security)"

step "Admin installs jit-admission with Helm: CRDs, RBAC, Service, webhooks; the API server authenticates itself to the webhook"
as admin create namespace jit-admission >/dev/null
as admin create configmap apiserver-webhook-client-ca -n jit-admission --from-file=ca.crt="$WORK/sandbox/pki/webhook-client-ca.crt" >/dev/null
printf '%sadmin$ helm install jit-admission charts/jit-admission -n jit-admission --set webhook.clientAuth.enabled=true ... --set rbac.approvers.groups={sre}%s\n' "$yellow" "$reset"
KUBECONFIG="$WORK/admin.kubeconfig" "$HELM" install jit-admission "$ROOT/charts/jit-admission" -n jit-admission \
  --set webhook.clientAuth.enabled=true --set webhook.clientAuth.caConfigMap=apiserver-webhook-client-ca \
  --set 'webhook.clientAuth.subjects={kube-apiserver-webhook-client}' --set 'rbac.approvers.groups={sre}' >/dev/null
say "the chart bound its approver role to the group sre (bob); requesters get theirs through 'edit'"

step "jit-admission runs as the chart's ServiceAccount, with the Deployment's own arguments (there is no kubelet here: out of cluster)"
cp "$("$SANDBOX_HOME/mkuser" "$WORK/sandbox" system:serviceaccount:jit-admission:jit-admission system:serviceaccounts system:serviceaccounts:jit-admission)" "$WORK/operator.kubeconfig"
mapfile -t ARGS < <("$KUBECTL" --kubeconfig "$WORK/admin.kubeconfig" get deployment jit-admission -n jit-admission \
  -o jsonpath='{.spec.template.spec.containers[0].args}' | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))')
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port); METRICS=$(free_port)
# No kube-proxy: the Service's endpoint is named in an annotation kube-sandbox reads.
as admin annotate service jit-admission -n jit-admission kube-sandbox.io/endpoints="127.0.0.1:$PORT" >/dev/null
POD_NAME=jit-admission-0 POD_NAMESPACE=jit-admission dotnet "$BIN/jit-admission.dll" --kubeconfig "$WORK/operator.kubeconfig" "${ARGS[@]}" \
  --listen "https://127.0.0.1:$PORT" --metrics-listen "http://127.0.0.1:$METRICS" --webhook-client-ca "$WORK/sandbox/pki/webhook-client-ca.crt" \
  >"$WORK/jit-admission.log" 2>&1 &
JIT_PID=$!
for _ in $(seq 1 150); do curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null || { echo "jit-admission did not start:"; cat "$WORK/jit-admission.log"; exit 1; }
for _ in $(seq 1 100); do
  [ -n "$("$KUBECTL" --kubeconfig "$WORK/admin.kubeconfig" get validatingwebhookconfiguration jit-admission -o jsonpath='{.webhooks[1].clientConfig.caBundle}')" ] && break
  sleep 0.1
done
say "ready as system:serviceaccount:jit-admission:jit-admission, with exactly the chart's permissions; it leads, and has put its CA into the chart's webhook configurations"
say "anyone else who calls the webhook directly, e.g. alice with curl and her own certificate, is refused before anything is read:"
printf '%salice$ curl --cert alice.crt -X POST https://jit-admission.jit-admission.svc/validate ...%s\n' "$yellow" "$reset"
curl -sk --cert "$WORK/sandbox/users/alice.crt" --key "$WORK/sandbox/users/alice.key" -H 'Content-Type: application/json' -d '{}' \
  "https://127.0.0.1:$PORT/validate" | python3 -c 'import json,sys; r=json.load(sys.stdin)["response"]["status"]; print(r["code"], r["message"])'

step "Admin: a production namespace, a Deployment, and a policy that gates changes to it"
as admin create namespace shop >/dev/null
as admin label namespace shop env=prod >/dev/null
as admin create rolebinding alice-edit -n shop --clusterrole=edit --user=alice >/dev/null
as admin create rolebinding sre-view -n shop --clusterrole=view --group=sre >/dev/null
say "alice may edit the namespace shop (the chart's requester role comes with 'edit'); the SREs may view it"
write_web() {  # $1 image, $2 replicas
cat > "$WORK/web.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    jitadmission.io/reason: "roll out nginx 1.27.3 (CVE fix)"
spec:
  replicas: $2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: $1
YAML
}
write_web nginx:1.27.2 2
as admin apply -f "$WORK/web.yaml" >/dev/null
cat > "$WORK/policy.yaml" <<'YAML'
apiVersion: jitadmission.io/v1alpha1
kind: ApprovalPolicy
metadata:
  name: production-deployments
spec:
  match:
    resources:
    - apiGroups: ["apps"]
      resources: ["deployments", "deployments/scale"]
      operations: ["UPDATE", "DELETE"]
    namespaceSelector:
      matchLabels: {env: prod}
    subjects:
      exclude:
      - {kind: User, name: sandbox-admin}
  approval:
    approvers:
    - name: sre
      groups: ["sre"]
    requestTTL: 30m
    validFor: 10m
    scope: Exact
    wait: 10s
  message: "Production changes need an SRE's approval (#sre-oncall)."
YAML
cat "$WORK/policy.yaml" | sed 's/^/    /'
as admin apply -f "$WORK/policy.yaml"
sleep 1   # the controller registers the webhook rules for the new policy

step "alice rolls out a new image; the webhook holds her kubectl while approval is pending"
write_web nginx:1.27.3 2
( as alice apply -f "$WORK/web.yaml" >"$WORK/alice-1.out" 2>&1; echo $? >"$WORK/alice-1.rc" ) &
ALICE=$!
for _ in $(seq 1 50); do [ -n "$("$KUBECTL" --kubeconfig "$WORK/admin.kubeconfig" get areq -n shop -o name 2>/dev/null)" ] && break; sleep 0.1; done

step "bob sees the pending request and what exactly it changes"
as bob jit list -n shop
NAME=$("$KUBECTL" --kubeconfig "$WORK/admin.kubeconfig" get areq -n shop -o jsonpath='{.items[0].metadata.name}')
as bob jit describe "$NAME" -n shop

step "bob approves"
as bob jit approve "$NAME" -n shop -m "CVE fix, go ahead"
wait "$ALICE" || true
printf '%s' "$green"; cat "$WORK/alice-1.out"; printf '%s' "$reset"
[ "$(cat "$WORK/alice-1.rc")" = 0 ] || { echo "alice's apply should have gone through"; exit 1; }
say "alice's held kubectl returned as soon as bob approved: the change went through."
as admin get deployment web -n shop -o jsonpath='{.spec.template.spec.containers[0].image}{"\n"}'

step "Someone reverts the image; alice applies the very same change again: an approval is single use"
as admin set image deployment/web -n shop nginx=nginx:1.27.2 >/dev/null
say "(admin is excluded from the policy; the Deployment is back on nginx:1.27.2)"
if as alice apply -f "$WORK/web.yaml" >"$WORK/alice-2.out" 2>&1; then cat "$WORK/alice-2.out"; echo "expected a denial"; exit 1; fi
printf '%s' "$yellow"; sed -n 's/.*denied the request: /denied: /p; /^ApprovalRequest\|^An approver\|^  or:\|^Once it/p' "$WORK/alice-2.out"; printf '%s' "$reset"
say "held for the policy's wait, then denied: the same change needs a new approval, under a new request name."

step "Helm: a release is one approval per revision"
cat > "$WORK/config-policy.yaml" <<'YAML'
apiVersion: jitadmission.io/v1alpha1
kind: ApprovalPolicy
metadata:
  name: production-config
spec:
  match:
    resources:
    - apiGroups: [""]
      resources: ["configmaps"]
      operations: ["CREATE", "UPDATE"]
    namespaceSelector:
      matchLabels: {env: prod}
  approval:
    approvers:
    - name: sre
      groups: ["sre"]
    wait: 0s
YAML
as admin apply -f "$WORK/config-policy.yaml" >/dev/null
say "admin: ConfigMaps in production need an SRE too (policy production-config, answered at once: wait 0s)"
mkdir -p "$WORK/shop-config/templates"
printf 'apiVersion: v2\nname: shop-config\nversion: 1.0.0\n' > "$WORK/shop-config/Chart.yaml"
printf 'currency: EUR\n' > "$WORK/shop-config/values.yaml"
for c in checkout payments search; do
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  currency: {{ .Values.currency | quote }}\n' "$c" > "$WORK/shop-config/templates/$c.yaml"
done
sleep 1   # the controller registers the webhook rules for the new policy
helm_alice() { printf '%salice$ helm %s%s\n' "$yellow" "$*" "$reset"; KUBECONFIG="$WORK/alice.kubeconfig" "$HELM" "$@"; }
if helm_alice install shop-config "$WORK/shop-config" -n shop >"$WORK/helm-1.out" 2>&1; then cat "$WORK/helm-1.out"; echo "expected the release to wait for approval"; exit 1; fi
printf '%s' "$yellow"; sed -n 's/.*denied the request: /denied: /p; /^ApprovalRequest\|^  kubectl jit approve/p' "$WORK/helm-1.out"; printf '%s' "$reset"
say "Helm's release record asked for the revision's three ConfigMaps at once; Helm wrote nothing, so nothing is stuck:"
helm_alice list -n shop
RELEASE=$("$KUBECTL" --kubeconfig "$WORK/admin.kubeconfig" get areq -n shop -o jsonpath='{range .items[?(@.spec.changeSet.helm)]}{.metadata.name}{end}')
as bob jit describe "$RELEASE" -n shop | sed -n '1,/^Requirements/p'
as bob jit approve "$RELEASE" -n shop -m "new currency config"
helm_alice install shop-config "$WORK/shop-config" -n shop | sed -n '1,4p'
as admin get areq "$RELEASE" -n shop -o jsonpath='{.status.phase}: {.status.message}{"\n"}'
say "one approval, one helm run: each ConfigMap went through exactly as approved, once; another value would be a new revision to approve."

step "The audit trail"
as admin get areq -n shop
as admin get areq "$NAME" -n shop -o jsonpath='{range .status.decisions[*]}{.decision} by {.reviewer} at {.time}: {.comment}{"\n"}{end}{range .status.usage[*]}used by {.by} at {.time} ({.operation}, admission uid {.admissionUid}){"\n"}{end}'
as admin get events -n shop --field-selector involvedObject.kind=ApprovalRequest \
  --sort-by=.lastTimestamp -o custom-columns=TIME:.lastTimestamp,REQUEST:.involvedObject.name,REASON:.reason,MESSAGE:.message
say "and jit-admission's audit lines (one JSON object per decision, phase and deletion, for the log pipeline; they outlive the records):"
grep '^{"audit":"jit-admission"' "$WORK/jit-admission.log" | python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    who = e.get("user") or e.get("requester") or e.get("by") or ""
    what = e.get("outcome") or e.get("phase") or ("deleted" if e.get("allowed") else "deletion refused")
    print("  {} {:9} {:6} {:10} {}".format(e["time"], e["event"], who, what, e.get("approvalRequest") or e.get("name", "")))'


printf '\n%sDone in %ss.%s\n' "$bold" "$(( $(date +%s) - T0 ))" "$reset"
