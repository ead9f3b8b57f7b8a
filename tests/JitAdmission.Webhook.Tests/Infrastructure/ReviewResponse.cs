using System.Net;
using System.Text.Json;

namespace JitAdmission.Webhook.Tests.Infrastructure;

/// <summary>An HTTP answer from the webhook with its AdmissionReview response parsed.</summary>
public sealed record ReviewResponse(HttpStatusCode StatusCode, string ContentType, string Body, JsonElement Review)
{
    public JsonElement Response => Review.GetProperty("response");

    public string Uid => Response.GetProperty("uid").GetString()!;

    public bool Allowed => Response.GetProperty("allowed").GetBoolean();

    public int Code => Response.GetProperty("status").GetProperty("code").GetInt32();

    public string Message => Response.GetProperty("status").GetProperty("message").GetString()!;

    public string Reason => Response.GetProperty("status").GetProperty("reason").GetString()!;

    public bool Has(string field) => Response.TryGetProperty(field, out _);

    public static async Task<ReviewResponse> ReadAsync(HttpResponseMessage message)
    {
        var body = await message.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        var review = document.RootElement.Clone();
        Assert.Equal("admission.k8s.io/v1", review.GetProperty("apiVersion").GetString());
        Assert.Equal("AdmissionReview", review.GetProperty("kind").GetString());
        return new ReviewResponse(message.StatusCode, message.Content.Headers.ContentType?.MediaType ?? "", body, review);
    }
}
