using Microsoft.OpenApi;

namespace GridQueue.Server.Api.OpenApi;

/// <summary>An error answer a route documents: its status, the contract's codes it may carry, and when.</summary>
public sealed record DocumentedErrors(int StatusCode, string When, IReadOnlyList<string> Codes);

/// <summary>
/// A header or query parameter a route reads by hand (the handlers check them against the contract's limits
/// themselves, so the generator cannot see them in the signature).
/// </summary>
public sealed record DocumentedParameter(string Name, ParameterLocation In, string Description)
{
    public JsonSchemaType Type { get; init; } = JsonSchemaType.String;

    public IReadOnlyList<string>? Values { get; init; }

    public long? Minimum { get; init; }

    public long? Maximum { get; init; }
}

/// <summary>A response header a route sends with one status.</summary>
public sealed record DocumentedResponseHeader(int StatusCode, string Name, string Description);

/// <summary>
/// Endpoint metadata for the OpenAPI document, next to each route's mapping. Statuses and body types become
/// ordinary ASP.NET Core response metadata; the rest is read by <see cref="ContractOperationTransformer"/>.
/// </summary>
public static class EndpointDocs
{
    public const string Json = "application/json";

    /// <summary>A success answer: the envelope around <typeparamref name="T"/>.</summary>
    public static RouteHandlerBuilder ProducesData<T>(this RouteHandlerBuilder builder, int statusCode = StatusCodes.Status200OK)
        where T : class =>
        builder.Produces<Envelope<T>>(statusCode, Json);

    /// <summary>An error answer: the error envelope, with the codes it may carry at this status.</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, int statusCode, string when, params string[] codes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(
            new ProducesResponseTypeMetadata(statusCode, typeof(ErrorEnvelopeSchema), [Json]),
            new DocumentedErrors(statusCode, when, codes));

    /// <summary>401 for a route behind the bearer token.</summary>
    public static TBuilder ProducesUnauthorized<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesErrors(StatusCodes.Status401Unauthorized, "No token, or a token that does not verify.", ErrorCodes.Unauthorized);

    /// <summary>429 for a route under a per-user rate limit.</summary>
    public static TBuilder ProducesRateLimited<TBuilder>(this TBuilder builder, string when = "Over the per-user rate limit.")
        where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesErrors(StatusCodes.Status429TooManyRequests, when, ErrorCodes.RateLimited);

    /// <summary>503 for a route that reads or writes storage.</summary>
    public static TBuilder ProducesUnavailable<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesErrors(StatusCodes.Status503ServiceUnavailable, "Storage is not answering; try again after Retry-After.", ErrorCodes.Unavailable);

    /// <summary>500, never expected: the message carries a correlation id.</summary>
    public static TBuilder ProducesInternal<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesErrors(StatusCodes.Status500InternalServerError, "Never expected; the message carries a correlation id.", ErrorCodes.Internal);

    /// <summary>413 for a route that reads a body.</summary>
    public static TBuilder ProducesPayloadTooLarge<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesErrors(StatusCodes.Status413PayloadTooLarge, "The body is over Api__MaxBodyBytes (16 MiB by default).", ErrorCodes.PayloadTooLarge);

    public static TBuilder WithRequestHeader<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DocumentedParameter(name, ParameterLocation.Header, description));

    public static TBuilder WithQueryParameter<TBuilder>(this TBuilder builder, DocumentedParameter parameter)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(parameter);

    public static TBuilder WithResponseHeader<TBuilder>(this TBuilder builder, int statusCode, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DocumentedResponseHeader(statusCode, name, description));
}
