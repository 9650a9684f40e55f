using System.Text.Json;
using GridQueue.Server.Api.OpenApi;
using GridQueue.Server.Auth;

namespace GridQueue.Server.Api;

/// <summary>POST /api/v1/dev/token: a token for any user id, mapped only in dev mode.</summary>
public static class DevTokenEndpoint
{
    public const int MaxUserIdLength = 128;

    public static RouteGroupBuilder MapDevToken(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/dev/token", IssueAsync).AllowAnonymous()
            .WithName("IssueDevToken").WithTags(EndpointTags.Server).WithSummary("A token for any user id (dev mode only)")
            .WithDescription("Mapped only when Auth__Mode is dev; the route does not exist otherwise.")
            .Accepts<DevTokenRequestSchema>(EndpointDocs.Json)
            .ProducesData<DevTokenSchema>()
            .ProducesErrors(StatusCodes.Status400BadRequest, "The body is not {\"user_id\": \"...\"} with 1–128 printable characters (and an optional boolean admin).", ErrorCodes.ValidationError)
            .ProducesPayloadTooLarge()
            .ProducesInternal();
        return api;
    }

    private static async Task<IResult> IssueAsync(HttpContext http, TokenIssuer issuer, AdminRule admins)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, default, http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return ApiErrors.Validation("The request body must be a JSON object like {\"user_id\": \"alice\"}.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("user_id", out var userIdElement)
                || userIdElement.ValueKind != JsonValueKind.String)
            {
                return ApiErrors.Field("user_id", "user_id is required and must be a string.");
            }

            string userId;
            try
            {
                userId = userIdElement.GetString()!;
            }
            catch (InvalidOperationException)
            {
                // GetString throws for a string that is not valid UTF-8 (JsonDocument checks only when the text is
                // read): the client's mistake, a 400, not a 500.
                return ApiErrors.Field("user_id", "user_id must be valid UTF-8 text.");
            }

            if (string.IsNullOrWhiteSpace(userId) || userId.Length > MaxUserIdLength || userId.Any(char.IsControl))
            {
                return ApiErrors.Field("user_id", $"user_id must be 1 to {MaxUserIdLength} printable characters.");
            }

            var admin = false;
            if (document.RootElement.TryGetProperty("admin", out var adminElement))
            {
                if (adminElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return ApiErrors.Field("admin", "admin must be true or false.");
                }

                admin = adminElement.GetBoolean();
            }

            // An admin dev token carries the configured admin claim; with admin-by-claim turned off (Admin__ClaimType
            // empty) only Admin__UserIds make admins, so the switch adds nothing.
            var claim = admin && !string.IsNullOrEmpty(admins.Options.ClaimType) ? (admins.Options.ClaimType, admins.Options.ClaimValue) : ((string, string)?)null;
            var token = issuer.Issue(userId, AuthOptions.DevTokenLifetime, claim);
            return EnvelopeResult.Success(w =>
            {
                w.WriteStartObject();
                w.WriteString("token", token);
                w.WriteEndObject();
            });
        }
    }
}
