using System.CommandLine;
using GridQueue.Cli.Output;
using GridQueue.Client;

namespace GridQueue.Cli.Commands;

/// <summary>gridqueue submit &lt;prompt&gt; --model m [...] [--wait]: POST /api/v1/video/generate.</summary>
internal static class SubmitCommand
{
    public const string Examples = """
        Examples:
          gridqueue submit "a red kite over the sea" --model sora-2 --wait
          url=$(gridqueue submit "a red kite over the sea" --model sora-2 --wait) && curl -o kite.mp4 "$url"
          id=$(gridqueue submit "a kite at night" --model sora-2 --duration 5 --aspect-ratio 9:16 --hd)
          gridqueue submit "the same kite, in the rain" --model sora-2 --image https://example.com/kite.png --idempotency-key kite-3

        Exit codes: 0 submitted (with --wait: succeeded), 1 with --wait: the task failed or was cancelled,
        2 usage error, 3 refused by the server, 4 server unreachable, 130 Ctrl+C.
        """;

    public static Command Create(CommandRunner runner)
    {
        var prompt = new Argument<string>("prompt") { Description = "What the video shows (1-4000 characters; quote it)" };
        var model = new Option<string>("--model", "-m") { Description = "The model, e.g. sora-2", Required = true, HelpName = "model" };
        var provider = new Option<string?>("--provider") { Description = "The provider (default: the server's default, e.g. simulator or t8star)", HelpName = "name" };
        var aspectRatio = new Option<string?>("--aspect-ratio") { Description = "16:9 (default), 9:16 or 1:1", HelpName = "ratio" };
        aspectRatio.AcceptOnlyFromAmong("16:9", "9:16", "1:1");
        var duration = Parsing.RangeOption("--duration", "seconds", 1, 60, "Length in seconds, 1-60 (default 10)");
        var hd = new Option<bool>("--hd") { Description = "High definition" };
        var images = new Option<string[]>("--image")
        {
            Description = "A reference image: an http(s) URL or a data:image/... URI; repeat for several (at most 4)",
            HelpName = "url",
        };
        var idempotencyKey = new Option<string?>("--idempotency-key")
        {
            Description = "Sending the same key again within 24 h returns the same task instead of making a second one",
            HelpName = "key",
        };
        var apiKey = Parsing.ApiKey("Your own upstream provider key for this task only");
        var wait = Parsing.Wait();

        var command = new Command("submit", "Submit a video task: prints its id on stdout, or with --wait the video URL once it succeeds")
        {
            prompt, model, provider, aspectRatio, duration, hd, images, idempotencyKey, apiKey, wait,
        };

        command.SetAction(runner.Action(async (parse, context) =>
        {
            var imageList = parse.GetValue(images);
            var request = new GenerateRequest
            {
                Prompt = parse.GetRequiredValue(prompt),
                Model = parse.GetRequiredValue(model),
                Provider = parse.GetValue(provider),
                AspectRatio = parse.GetValue(aspectRatio),
                Duration = parse.GetValue(duration),
                Hd = parse.GetValue(hd) ? true : null,
                Images = imageList is { Length: > 0 } ? imageList : null,
            };
            var options = new GenerateOptions
            {
                IdempotencyKey = parse.GetValue(idempotencyKey),
                UserApiKey = Parsing.ApiKeyValue(parse, apiKey, context),
            };

            var task = await context.Client.GenerateAsync(request, options, context.CancellationToken);
            return await TaskOutcome.AcceptedAsync(context, task, parse.GetValue(wait), TaskPrinter.StatusName(task.Status));
        }));
        return command;
    }
}
