namespace GridQueue.Client.Json;

/// <summary>The body of <c>POST /api/v1/dev/token</c>.</summary>
internal sealed record DevTokenRequest(string UserId);

/// <summary>The data of its answer.</summary>
internal sealed record DevTokenData(string Token);
