using System.Net;

namespace JitAdmission.Cli.Kube;

/// <summary>The status the API server sent with a failed call (a metav1.Status), reduced to what people read.</summary>
internal sealed record ApiFailure(HttpStatusCode Code, string Reason, string Message);
