using System.Net;
using GridQueue.Tasks.Webhooks;
using Xunit;

namespace GridQueue.Tasks.Tests.Webhooks;

/// <summary>Which destinations webhooks may reach, at generate (the URL) and at connect (each resolved address).</summary>
public sealed class WebhookDestinationsTests
{
    private const string Secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.20.30.40")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::7f00:1")]
    public void MayConnect_BlockedAddress_IsRefusedUnlessAllowListed(string address)
    {
        var ip = IPAddress.Parse(address);
        Assert.False(Destinations(null).MayConnect("hooks.example.com", ip));
        Assert.True(Destinations(address).MayConnect("hooks.example.com", ip));
        Assert.True(Destinations("hooks.example.com").MayConnect("hooks.example.com", ip));
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c")]
    public void MayConnect_PublicAddress_IsAllowed(string address) =>
        Assert.True(Destinations(null).MayConnect("hooks.example.com", IPAddress.Parse(address)));

    [Fact]
    public void MayConnect_CidrAllowList_CoversItsRangeOnly()
    {
        var destinations = Destinations("10.1.0.0/16");
        Assert.True(destinations.MayConnect("a", IPAddress.Parse("10.1.200.3")));
        Assert.False(destinations.MayConnect("a", IPAddress.Parse("10.2.0.1")));
    }

    [Theory]
    [InlineData("https://hooks.example.com/x", null, true)]
    [InlineData("http://hooks.example.com/x", null, false)]
    [InlineData("http://hooks.example.com/x", "hooks.example.com", true)]
    [InlineData("https://localhost/x", null, false)]
    [InlineData("https://api.localhost/x", null, false)]
    [InlineData("https://localhost/x", "localhost", true)]
    [InlineData("https://127.0.0.1/x", "127.0.0.0/8", true)]
    [InlineData("https://[::1]/x", null, false)]
    [InlineData("https://user:pw@hooks.example.com/x", null, false)]
    [InlineData("hooks.example.com/x", null, false)]
    public void Refusal_ChecksSchemeAndLiteralDestinations(string url, string? allowed, bool accepted) =>
        Assert.Equal(accepted, Destinations(allowed).Refusal(url) is null);

    [Fact]
    public void Refusal_TooLongUrl_SaysTheLimit() =>
        Assert.Contains("2048", Destinations(null).Refusal("https://hooks.example.com/" + new string('a', 2048)), StringComparison.Ordinal);

    [Theory]
    [InlineData(null, null)]
    [InlineData("no-prefix", "whsec_")]
    [InlineData("whsec_%%%", "base64")]
    [InlineData("whsec_AAEC", "24–64")]
    public void Validator_RejectsBadSettings_NamingThem(string? secret, string? expected)
    {
        var result = new WebhookOptionsValidator().Validate(null, new WebhookOptions { Secret = secret });
        if (expected is null)
        {
            Assert.True(result.Succeeded);
        }
        else
        {
            Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validator_DefaultUrlWithoutSecret_OrPrivate_OrBadAllowList_Fails()
    {
        var validator = new WebhookOptionsValidator();
        Assert.Contains("Webhooks:Secret", validator.Validate(null, new WebhookOptions { DefaultUrl = "https://hooks.example.com/" }).FailureMessage, StringComparison.Ordinal);
        Assert.Contains("loopback", validator.Validate(null, new WebhookOptions { Secret = Secret, DefaultUrl = "https://127.0.0.1/" }).FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new WebhookOptions { Secret = Secret, DefaultUrl = "https://127.0.0.1/", AllowedHosts = "127.0.0.1" }).Succeeded);
        Assert.Contains("not a host", validator.Validate(null, new WebhookOptions { AllowedHosts = "ok.example, not a host" }).FailureMessage, StringComparison.Ordinal);
    }

    private static WebhookDestinations Destinations(string? allowed) =>
        new(Microsoft.Extensions.Options.Options.Create(new WebhookOptions { Secret = Secret, AllowedHosts = allowed }));
}
