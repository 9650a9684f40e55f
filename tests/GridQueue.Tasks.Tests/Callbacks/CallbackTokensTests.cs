using Xunit;
using GridQueue.Tasks.Callbacks;
using Microsoft.AspNetCore.DataProtection;

namespace GridQueue.Tasks.Tests.Callbacks;

public sealed class CallbackTokensTests
{
    private readonly CallbackTokens _tokens = new(new EphemeralDataProtectionProvider());

    [Fact]
    public void AttemptOf_OwnToken_IsTheAttemptItWasMadeFor()
    {
        var token = _tokens.Make("t8star", "tsk_1", 3);

        Assert.Equal(3, _tokens.AttemptOf("t8star", "tsk_1", token));
        Assert.True(token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), "safe in a URL path as it is");
    }

    [Fact]
    public void AttemptOf_AnotherTasksOrProvidersToken_IsNull()
    {
        var token = _tokens.Make("t8star", "tsk_1", 1);

        Assert.Null(_tokens.AttemptOf("t8star", "tsk_10", token));
        Assert.Null(_tokens.AttemptOf("t8star", "tsk_", token));
        Assert.Null(_tokens.AttemptOf("simulator", "tsk_1", token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("made-up")]
    [InlineData("not base64 at all!")]
    public void AttemptOf_ForgedToken_IsNull(string token) =>
        Assert.Null(_tokens.AttemptOf("t8star", "tsk_1", token));

    [Fact]
    public void AttemptOf_AlteredToken_IsNull()
    {
        var token = _tokens.Make("t8star", "tsk_1", 1);
        var altered = token[..^3] + (token[^3] == 'A' ? 'B' : 'A') + token[^2..];

        Assert.Null(_tokens.AttemptOf("t8star", "tsk_1", altered));
    }

    [Fact]
    public void AttemptOf_TokenOfAnotherKeyRing_IsNull()
    {
        var elsewhere = new CallbackTokens(new EphemeralDataProtectionProvider()).Make("t8star", "tsk_1", 1);

        Assert.Null(_tokens.AttemptOf("t8star", "tsk_1", elsewhere));
    }
}
