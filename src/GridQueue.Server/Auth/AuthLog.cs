namespace GridQueue.Server.Auth;

/// <summary>Start-up messages about authentication an operator must not miss.</summary>
public static partial class AuthLog
{
    /// <summary>Logged at every start of a dev-mode server outside Development, so the choice stays visible in its logs.</summary>
    [LoggerMessage(
        EventId = 1001,
        Level = LogLevel.Warning,
        Message = "Dev mode is on in the '{Environment}' environment (Auth__Mode=dev, Auth__AllowDevMode=true): anyone can sign in as any user " +
            "with POST /api/v1/dev/token. Do not let real users reach this server; set Auth__JwtSecret and Auth__Mode=jwt for them.")]
    public static partial void DevModeOutsideDevelopment(ILogger logger, string environment);
}
