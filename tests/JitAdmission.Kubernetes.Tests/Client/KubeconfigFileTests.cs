using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Client;
using k8s;
using k8s.Exceptions;

namespace JitAdmission.Kubernetes.Tests.Client;

/// <summary>Our kubeconfig reader must give the same client configuration as KubernetesClient's own one.</summary>
public sealed class KubeconfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubeconfig-").FullName;

    public KubeconfigFileTests()
    {
        using var ca = new CertificateFactory(TimeProvider.System).CreateCertificateAuthority("kubeconfig test CA", TimeSpan.FromDays(1));
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "ca.b64"), Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ca.ExportCertificatePem())));
        File.WriteAllText(Path.Combine(_dir, "token"), "from-a-file\n");
        File.WriteAllText(Path.Combine(_dir, "cred.sh"),
            "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-'\"$TOKEN_SUFFIX\"'\"}}'\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.Combine(_dir, "cred.sh"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Kubeconfig() => $$"""
        apiVersion: v1
        kind: Config
        current-context: certs
        preferences: {}
        clusters:
        - name: files
          cluster:
            server: https://10.0.0.1:6443
            certificate-authority: ca.crt
            tls-server-name: api.internal
        - name: data
          cluster:
            server: https://example.test
            certificate-authority-data: {{File.ReadAllText(Path.Combine(_dir, "ca.b64"))}}
        - name: insecure
          cluster:
            server: "https://127.0.0.1:8443"
            insecure-skip-tls-verify: true
        users:
        - name: cert-files
          user:
            client-certificate: pki/alice.crt
            client-key: /abs/alice.key
        - name: cert-data
          user:
            client-certificate-data: Y2VydA==
            client-key-data: a2V5
        - name: token
          user:
            token: t0ken
            as: bob
            as-groups: [ops, devs]
        - name: token-file
          user:
            tokenFile: token
        - name: basic
          user:
            username: carol
            password: "s3cret: yes"
        - name: exec
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: {{Path.Combine(_dir, "cred.sh")}}
              args: []
              env:
              - name: TOKEN_SUFFIX
                value: abc
              provideClusterInfo: false
        contexts:
        - name: certs
          context: {cluster: files, user: cert-files, namespace: shop}
        - name: data
          context: {cluster: data, user: cert-data}
        - name: token
          context: {cluster: insecure, user: token, namespace: ~}
        - name: basic
          context: {cluster: data, user: basic}
        - name: exec
          context: {cluster: insecure, user: exec}
        - name: token-file
          context: {cluster: files, user: token-file}
        """;

    [Theory]
    [InlineData(null)]
    [InlineData("data")]
    [InlineData("token")]
    [InlineData("basic")]
    [InlineData("exec")]
    public void Each_context_configures_the_client_as_KubernetesClient_would(string? context)
    {
        var path = Path.Combine(_dir, "config");
        File.WriteAllText(path, Kubeconfig());

        var ours = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Load(path), context);
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);

        Assert.Equal(Describe(theirs), Describe(ours));
        Assert.NotNull(ours.Host);
    }

    [Fact]
    public void Relative_files_are_read_from_the_kubeconfig_directory_and_a_token_file_is_read_as_client_go_does()
    {
        var path = Path.Combine(_dir, "config");
        File.WriteAllText(path, Kubeconfig());

        var certs = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Load(path), "certs");
        var tokenFile = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Load(path), "token-file");

        Assert.Equal(Path.Combine(_dir, "pki", "alice.crt"), certs.ClientCertificateFilePath);
        Assert.Equal("/abs/alice.key", certs.ClientKeyFilePath);
        Assert.Equal("shop", certs.Namespace);
        Assert.Equal("from-a-file", tokenFile.AccessToken);
    }

    [Theory]
    [InlineData("clusters: [", "not valid YAML")]
    [InlineData("- just\n- a list\n", "holds no kubeconfig")]
    [InlineData("clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: maybe\n", "is not true or false")]
    public void A_broken_kubeconfig_is_refused_with_the_reason(string yaml, string reason)
    {
        var path = Path.Combine(_dir, "broken");
        File.WriteAllText(path, yaml);

        var e = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(path));

        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(Path.Combine(_dir, "absent")));
        Assert.Contains("absent", e.Message, StringComparison.Ordinal);
    }

    private static string Describe(KubernetesClientConfiguration c) => string.Join("\n",
        $"host={c.Host}", $"ns={c.Namespace}", $"context={c.CurrentContext}", $"token={c.AccessToken}", $"tokenProvider={c.TokenProvider?.GetType().Name}",
        $"user={c.Username}", $"password={c.Password}", $"certData={c.ClientCertificateData}", $"keyData={c.ClientCertificateKeyData}",
        $"certFile={c.ClientCertificateFilePath}", $"keyFile={c.ClientKeyFilePath}", $"skip={c.SkipTlsVerify}", $"tlsName={c.TlsServerName}",
        $"ca={string.Join(",", c.SslCaCerts?.Select(x => x.Thumbprint) ?? [])}");
}
