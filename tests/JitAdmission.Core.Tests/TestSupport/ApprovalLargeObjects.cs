using System.Text;

namespace JitAdmission.Core.Tests.TestSupport;

internal static class ApprovalLargeObjects
{
    /// <summary>A Deployment-shaped object of about <paramref name="bytes"/> bytes: many containers with env vars.</summary>
    public static string Deployment(int bytes, string image = "nginx:1.27", string? secretData = null)
    {
        var builder = new StringBuilder();
        builder.Append("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod"},"spec":{"replicas":3,"template":{"spec":{"containers":[""");
        var i = 0;
        while (builder.Length < bytes)
        {
            if (i > 0) builder.Append(',');
            builder.Append($$"""{"name":"c{{i}}","image":"{{image}}","env":[{"name":"A","value":"{{new string('x', 200)}}"},{"name":"B","value":"{{i}}"}]}""");
            i++;
        }

        builder.Append("]}}}");
        if (secretData is not null) builder.Append(secretData);
        builder.Append('}');
        return builder.ToString();
    }
}
