using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GridQueue.Dashboard.Tests;

/// <summary>
/// A browser app on another origin: a tiny Kestrel site on its own loopback port serving one page whose script uses
/// the GridQueue API at the address given in <c>?api=</c>, as a separate front end would. It signs in with a dev
/// token, opens the event stream, starts a task with headers that force a preflight, reads the task's ETag, and
/// writes what happened into the page.
/// </summary>
public sealed class OtherOriginSite : IAsyncDisposable
{
    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Another origin</title></head>
        <body>
        <p id="state">starting</p>
        <p id="etag"></p>
        <ol id="events"></ol>
        <p id="error"></p>
        <script>
        const api = new URLSearchParams(location.search).get('api');
        const show = (id, text) => { document.getElementById(id).textContent = text; };

        async function run() {
          const signIn = await fetch(api + 'api/v1/dev/token', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ user_id: 'other-origin' }),
          });
          const token = (await signIn.json()).data.token;
          show('state', 'signed in');

          // The stream starts at "now": it is open before the task is made, so no change is missed.
          const source = new EventSource(api + 'api/v1/video/events?' + new URLSearchParams({ access_token: token }));
          source.addEventListener('task', event => {
            const task = JSON.parse(event.data);
            const item = document.createElement('li');
            item.textContent = task.status;
            document.getElementById('events').append(item);
            if (task.status === 'succeeded' || task.status === 'failed') {
              source.close();
              show('state', task.status);
            }
          });
          await new Promise((resolve, reject) => {
            source.onopen = resolve;
            source.onerror = () => reject(new Error('the event stream did not open'));
          });
          show('state', 'live');

          const generate = await fetch(api + 'api/v1/video/generate', {
            method: 'POST',
            headers: {
              'Authorization': 'Bearer ' + token,
              'Content-Type': 'application/json',
              'Idempotency-Key': 'other-origin-1',
            },
            body: JSON.stringify({ prompt: 'a lighthouse at dusk', model: 'sora-2' }),
          });
          if (!generate.ok) throw new Error('generate answered ' + generate.status);
          const task = (await generate.json()).data;

          const status = await fetch(api + 'api/v1/video/status/' + encodeURIComponent(task.task_id), {
            headers: { 'Authorization': 'Bearer ' + token },
          });
          show('etag', status.headers.get('ETag') ?? 'unreadable');
        }

        run().catch(error => show('error', 'failed: ' + error.message));
        </script>
        </body>
        </html>
        """;

    private readonly WebApplication _app;

    private OtherOriginSite(WebApplication app, Uri origin)
    {
        _app = app;
        Origin = origin;
    }

    /// <summary>The site's origin as the browser sees it, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri Origin { get; }

    public static async Task<OtherOriginSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(Html, "text/html; charset=utf-8"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new OtherOriginSite(app, new Uri(address));
    }

    /// <summary>The page's address, pointing its script at the API of <paramref name="api"/>.</summary>
    public Uri PageFor(Uri api) => new(Origin, "/?api=" + Uri.EscapeDataString(api.ToString()));

    /// <summary>The origin exactly as a browser sends it in the Origin header.</summary>
    public string OriginHeader => Origin.GetLeftPart(UriPartial.Authority);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
