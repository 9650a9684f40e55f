using System.Globalization;

namespace GridQueue.Server.Hosting;

/// <summary>
/// <c>GridQueue.Server healthcheck</c>: asks the server running beside it for <c>/healthz</c> and exits 0 when it
/// answers 200, else 1. Container health checks need a command inside the image, and the official ASP.NET Core
/// runtime images have neither curl nor wget.
/// </summary>
public static class HealthProbe
{
    public const string Command = "healthcheck";

    /// <summary>The probe's address: the first of ASPNETCORE_HTTP_PORTS on loopback, else the server's default.</summary>
    public static Uri Address(string? httpPorts)
    {
        var port = httpPorts?.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return port is not null && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? new Uri($"http://127.0.0.1:{number.ToString(CultureInfo.InvariantCulture)}/healthz")
            : new Uri($"{ServerApp.DefaultUrl}/healthz");
    }

    public static async Task<int> RunAsync()
    {
        var address = Address(Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS"));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(address).ConfigureAwait(false);
            Console.WriteLine($"{address}: HTTP {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"{address}: {e.Message}");
            return 1;
        }
    }
}
