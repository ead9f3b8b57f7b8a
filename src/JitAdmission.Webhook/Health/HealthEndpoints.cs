using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace JitAdmission.Webhook;

/// <summary><c>/healthz</c> says the process serves; <c>/readyz</c> says every registered check passes.</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", static context => WriteText(context, StatusCodes.Status200OK, "ok\n"));

        var checks = endpoints.ServiceProvider.GetServices<IReadinessCheck>().ToArray();
        endpoints.MapGet("/readyz", context => ReadyAsync(context, checks));
    }

    private static async Task ReadyAsync(HttpContext context, IReadinessCheck[] checks)
    {
        StringBuilder? failures = null;
        foreach (var check in checks)
        {
            ReadinessResult result;
            try
            {
                result = await check.CheckAsync(context.RequestAborted);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
            {
                result = ReadinessResult.NotReady("check failed: " + ex.Message);
            }

            if (!result.IsReady)
                (failures ??= new StringBuilder()).Append(check.Name).Append(": ").Append(result.Reason ?? "not ready").Append('\n');
        }

        if (failures is null) await WriteText(context, StatusCodes.Status200OK, "ok\n");
        else await WriteText(context, StatusCodes.Status503ServiceUnavailable, "not ready\n" + failures);
    }

    private static Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }
}
