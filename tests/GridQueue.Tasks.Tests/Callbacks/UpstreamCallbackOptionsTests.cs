using Xunit;
using System.ComponentModel.DataAnnotations;
using GridQueue.Tasks.Callbacks;

namespace GridQueue.Tasks.Tests.Callbacks;

public sealed class UpstreamCallbackOptionsTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("https://gq.example.com", "https://gq.example.com/")]
    [InlineData("http://127.0.0.1:5080/base", "http://127.0.0.1:5080/base/")]
    public void BaseUri_UsableOrUnset_IsValid(string? value, string? expected)
    {
        var options = new UpstreamCallbackOptions { PublicUrl = value };

        Assert.Empty(Problems(options));
        Assert.Equal(expected, options.BaseUri?.AbsoluteUri);
        Assert.Equal(expected is not null, options.Enabled);
    }

    [Theory]
    [InlineData("gq.example.com")]
    [InlineData("/relative")]
    [InlineData("ftp://gq.example.com")]
    [InlineData("https://gq.example.com/?a=1")]
    [InlineData("https://gq.example.com/#x")]
    public void Validate_BadUrl_NamesTheSetting(string value)
    {
        var problem = Assert.Single(Problems(new UpstreamCallbackOptions { PublicUrl = value }));

        Assert.Contains("Server__PublicUrl", problem.ErrorMessage, StringComparison.Ordinal);
    }

    private static List<ValidationResult> Problems(UpstreamCallbackOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
