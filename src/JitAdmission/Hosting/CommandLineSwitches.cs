namespace JitAdmission.Hosting;

/// <summary>Short command-line switches and the configuration keys they set (docs/configuration.md).</summary>
public static class CommandLineSwitches
{
    public static Dictionary<string, string> Mappings => new(StringComparer.Ordinal)
    {
        ["--kubeconfig"] = "Kubernetes:Kubeconfig",
        ["--context"] = "Kubernetes:Context",
        ["--namespace"] = "Operator:Namespace",
        ["--retention"] = "Operator:Retention",
        ["--webhook-url"] = "Webhook:Url",
        ["--service-name"] = "Webhook:ServiceName",
        ["--service-port"] = "Webhook:ServicePort",
        ["--listen"] = "Webhook:ListenUrl",
        ["--metrics-listen"] = "Webhook:MetricsListenUrl",
        ["--webhook-timeout"] = "Webhook:TimeoutSeconds",
        ["--failure-policy"] = "Webhook:FailurePolicy",
        ["--webhook-config-name"] = "Webhook:ConfigurationName",
        ["--tls-cert-file"] = "Certificates:CertFile",
        ["--tls-key-file"] = "Certificates:KeyFile",
        ["--tls-ca-file"] = "Certificates:CaFile",
        ["--cert-secret"] = "Certificates:SecretName",
        ["--cert-mode"] = "Certificates:Mode",
        ["--leader-elect"] = "LeaderElection:Enabled",
        ["--inline-io"] = "Webhook:InlineIo",
        ["--webhook-client-ca"] = "Webhook:ClientCaFile",
        ["--max-pending-per-requester"] = "Gate:MaxPendingPerRequester",
    };

    public const string Usage = """
        jit-admission: just-in-time approval for risky Kubernetes changes (webhook + controller in one process)

        Out of cluster:  jit-admission --kubeconfig FILE --webhook-url https://127.0.0.1:8443
        In cluster:      jit-admission --service-name jit-admission   (installed by the Helm chart)

          --kubeconfig FILE          API server credentials (default: in-cluster service account)
          --context NAME             kubeconfig context
          --namespace NS             operator namespace (Lease, certificate Secret, requests for cluster-scoped objects)
          --webhook-url URL          out of cluster: URL the API server calls; also the listen address by default
          --service-name NAME        in cluster: the Service in front of the pods (--service-port, default 443)
          --listen URL               HTTPS listen address (default https://0.0.0.0:8443)
          --metrics-listen URL       extra plain-HTTP listener for /metrics, e.g. http://0.0.0.0:9090
          --webhook-timeout SECONDS  gate webhook timeout (1-30, default 30); holds end before it
          --failure-policy Fail|Ignore  gate webhook failure policy (default Fail: fail closed)
          --webhook-config-name NAME name of the webhook configurations (default jit-admission)
          --tls-cert-file/--tls-key-file/--tls-ca-file FILE  serving certificate from files (cert-manager)
          --cert-secret NAME         self-managed certificate Secret (in cluster, default jit-admission-tls)
          --cert-mode Auto|Files|Secret|SelfSigned
          --leader-elect true|false  reconcile only on the Lease holder (default true)
          --inline-io true|false     run request work on the socket event threads (default true)
          --webhook-client-ca FILE   only callers with a client certificate from this CA (the API server's) may call
                                     the admission paths; allowed subjects: --Webhook:ClientSubjects:0 NAME ...
          --max-pending-per-requester N  pending approval requests one requester may have (default 20, 0 = no limit)
          --retention DURATION       delete finished ApprovalRequests after this long (default 7.00:00:00)

        Every setting is also a configuration key (appsettings.json, environment: Webhook__ListenUrl=...).
        See docs/configuration.md.
        """;
}
