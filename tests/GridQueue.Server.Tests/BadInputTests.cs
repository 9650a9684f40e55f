using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GridQueue.Server.Testing;

namespace GridQueue.Server.Tests;

/// <summary>One server for the whole class: a small body limit and one running task per user (to hold a task queued).</summary>
public sealed class BadInputServerFixture : IAsyncLifetime
{
    public const int MaxBodyBytes = 8192;

    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RunningServer.StartAsync(new Dictionary<string, string?>
    {
        ["Api:MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Tasks:MaxRunningPerUser"] = "1",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Client mistakes get the documented 4xx with the contract's error envelope and code, never a 500, never an
/// Error in the server's log, and never a stored task.
/// </summary>
public sealed class BadInputTests : IClassFixture<BadInputServerFixture>
{
    /// <summary>Every bad generate is sent as this user, whose task list must stay empty.</summary>
    private const string BadUser = "mallory";
    private const string WellFormedMissingId = "tsk_00000000000000000000000000";
    private const string ValidBody = """{"prompt": "a red kite over the sea", "model": "sora-2"}""";

    private readonly RunningServer _server;

    public BadInputTests(BadInputServerFixture fixture)
    {
        // The server is shared by the class (tests in a class run one at a time): each test starts with an empty
        // error log, so an Error is charged to the test whose request caused it.
        _server = fixture.Server;
        _server.ErrorLog.Errors.Clear();
    }

    /// <summary>A request and what the contract says it gets.</summary>
    private sealed record Case(
        HttpMethod Method,
        string Path,
        byte[]? Body,
        HttpStatusCode Status,
        string Code,
        string[] Fields,
        IReadOnlyDictionary<string, string>? Headers = null,
        bool UnknownLength = false,
        bool Authenticated = true);

    public static TheoryData<string> GenerateBodyCaseNames => Names(GenerateBodyCases);

    public static TheoryData<string> GenerateHeaderCaseNames => Names(GenerateHeaderCases);

    public static TheoryData<string> TooLargeCaseNames => Names(TooLargeCases);

    public static TheoryData<string> ListCaseNames => Names(ListCases);

    public static TheoryData<string> UnknownIdCaseNames => Names(UnknownIdCases);

    public static TheoryData<string> EventsCaseNames => Names(EventsCases);

    public static TheoryData<string> RouteCaseNames => Names(RouteCases);

    public static TheoryData<string> DevTokenCaseNames => Names(DevTokenCases);

    private static Dictionary<string, Case> GenerateBodyCases { get; } = new(StringComparer.Ordinal)
    {
        // The body as a whole.
        ["malformed JSON"] = Generate("""{"prompt": "a kite", "model": """),
        ["unterminated string"] = Generate("""{"prompt": "a kite"""),
        ["trailing comma"] = Generate("""{"prompt": "a kite", "model": "sora-2",}"""),
        ["single quotes"] = Generate("{'prompt': 'a kite', 'model': 'sora-2'}"),
        ["empty body"] = Generate(""),
        ["no body at all"] = new(HttpMethod.Post, "api/v1/video/generate", null, HttpStatusCode.BadRequest, "VALIDATION_ERROR", []),
        ["JSON array"] = Generate("""[{"prompt": "a kite", "model": "sora-2"}]"""),
        ["JSON string"] = Generate("\"a red kite over the sea\""),
        ["JSON number"] = Generate("42"),
        ["JSON null"] = Generate("null"),
        ["JSON true"] = Generate("true"),
        ["nested 100 deep"] = Generate("""{"prompt": "a kite", "model": "sora-2", "x": """ + new string('[', 100) + new string(']', 100) + "}"),
        ["invalid UTF-8 in prompt"] = Generate([.. "{\"prompt\": \"a "u8, 0xFF, 0xFE, .. "\", \"model\": \"sora-2\"}"u8], "prompt"),
        ["invalid UTF-8 in model"] = Generate([.. "{\"prompt\": \"a kite\", \"model\": \""u8, 0xC3, 0x28, .. "\"}"u8], "model"),
        ["invalid UTF-8 in an images item"] = Generate([.. "{\"prompt\": \"a kite\", \"model\": \"sora-2\", \"images\": [\"https://gridqueue.invalid/"u8, 0xFF, .. ".png\"]}"u8], "images"),
        ["invalid UTF-8 in a field name, prompt missing"] = Generate([.. "{\""u8, 0xFF, .. "\": \"a kite\", \"model\": \"sora-2\"}"u8], "prompt"),

        // prompt
        ["prompt missing"] = Generate("""{"model": "sora-2"}""", "prompt"),
        ["prompt empty"] = Generate("""{"prompt": "", "model": "sora-2"}""", "prompt"),
        ["prompt whitespace only"] = Generate("""{"prompt": "  \t\n  ", "model": "sora-2"}""", "prompt"),
        ["prompt 4001 chars after trim"] = Generate($$"""{"prompt": "  {{new string('k', 4001)}}  ", "model": "sora-2"}""", "prompt"),
        ["prompt number"] = Generate("""{"prompt": 42, "model": "sora-2"}""", "prompt"),
        ["prompt array"] = Generate("""{"prompt": ["a kite"], "model": "sora-2"}""", "prompt"),
        ["prompt object"] = Generate("""{"prompt": {"text": "a kite"}, "model": "sora-2"}""", "prompt"),

        // model
        ["model missing"] = Generate("""{"prompt": "a kite"}""", "model"),
        ["model empty"] = Generate("""{"prompt": "a kite", "model": ""}""", "model"),
        ["model whitespace only"] = Generate("""{"prompt": "a kite", "model": "   "}""", "model"),
        ["model 101 chars"] = Generate($$"""{"prompt": "a kite", "model": "{{new string('m', 101)}}"}""", "model"),
        ["model number"] = Generate("""{"prompt": "a kite", "model": 2}""", "model"),
        ["model boolean"] = Generate("""{"prompt": "a kite", "model": true}""", "model"),

        // aspect_ratio
        ["aspect_ratio 4:3"] = Generate("""{"prompt": "a kite", "model": "sora-2", "aspect_ratio": "4:3"}""", "aspect_ratio"),
        ["aspect_ratio number"] = Generate("""{"prompt": "a kite", "model": "sora-2", "aspect_ratio": 16}""", "aspect_ratio"),
        ["aspect_ratio empty"] = Generate("""{"prompt": "a kite", "model": "sora-2", "aspect_ratio": ""}""", "aspect_ratio"),

        // hd
        ["hd \"yes\""] = Generate("""{"prompt": "a kite", "model": "sora-2", "hd": "yes"}""", "hd"),
        ["hd 1"] = Generate("""{"prompt": "a kite", "model": "sora-2", "hd": 1}""", "hd"),
        ["hd \"true\" as a string"] = Generate("""{"prompt": "a kite", "model": "sora-2", "hd": "true"}""", "hd"),

        // duration
        ["duration 0"] = Generate("""{"prompt": "a kite", "model": "sora-2", "duration": 0}""", "duration"),
        ["duration 61"] = Generate("""{"prompt": "a kite", "model": "sora-2", "duration": 61}""", "duration"),
        ["duration -5"] = Generate("""{"prompt": "a kite", "model": "sora-2", "duration": -5}""", "duration"),
        ["duration 10.5"] = Generate("""{"prompt": "a kite", "model": "sora-2", "duration": 10.5}""", "duration"),
        ["duration \"10\" as a string"] = Generate("""{"prompt": "a kite", "model": "sora-2", "duration": "10"}""", "duration"),
        ["duration 2147483648 (int overflow)"] = Generate("""{"prompt": "a kite", "model": "sora-2", "duration": 2147483648}""", "duration"),
        ["duration -2147483649 (int underflow)"] = Generate("""{"prompt": "a kite", "model": "sora-2", "duration": -2147483649}""", "duration"),
        ["duration 1e40"] = Generate("""{"prompt": "a kite", "model": "sora-2", "duration": 1e40}""", "duration"),
        ["duration true"] = Generate("""{"prompt": "a kite", "model": "sora-2", "duration": true}""", "duration"),

        // images
        ["images not an array"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": "https://gridqueue.invalid/a.png"}""", "images"),
        ["images an object"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": {"0": "https://gridqueue.invalid/a.png"}}""", "images"),
        ["images 5 items"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": ["https://gridqueue.invalid/1.png", "https://gridqueue.invalid/2.png", "https://gridqueue.invalid/3.png", "https://gridqueue.invalid/4.png", "https://gridqueue.invalid/5.png"]}""", "images"),
        ["images item a number"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": ["https://gridqueue.invalid/1.png", 2]}""", "images"),
        ["images item null"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": [null]}""", "images"),
        ["images ftp URL"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": ["ftp://x/y.png"]}""", "images[0]"),
        ["images not a URL"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": ["not a url"]}""", "images[0]"),
        ["images data:text/plain URI"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": ["data:text/plain,abc"]}""", "images[0]"),
        ["images data:image without data"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": ["data:image/png;base64"]}""", "images[0]"),
        ["images absolute path"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": ["/tmp/kite.png"]}""", "images[0]"),
        ["images second of two not a URL"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": ["https://gridqueue.invalid/1.png", "not a url"]}""", "images[1]"),
        ["images URL of 2049 chars"] = Generate($$"""{"prompt": "a kite", "model": "sora-2", "images": ["https://gridqueue.invalid/{{new string('u', 2049 - 26)}}"]}""", "images[0]"),
        ["images http without host"] = Generate("""{"prompt": "a kite", "model": "sora-2", "images": ["http://"]}""", "images[0]"),

        // provider
        ["provider \"nope\""] = Generate("""{"prompt": "a kite", "model": "sora-2", "provider": "nope"}""", "provider"),
        ["provider 42"] = Generate("""{"prompt": "a kite", "model": "sora-2", "provider": 42}""", "provider"),
        ["provider empty"] = Generate("""{"prompt": "a kite", "model": "sora-2", "provider": ""}""", "provider"),
        ["provider in other case"] = Generate("""{"prompt": "a kite", "model": "sora-2", "provider": "SIMULATOR"}""", "provider"),

        // Several at once: each field gets its own message.
        ["prompt, model and duration all out of range"] = Generate("""{"prompt": "", "model": "", "duration": 0}""", "prompt", "model", "duration"),
        ["model, hd and duration all of the wrong type"] = Generate("""{"prompt": "a kite", "model": 7, "hd": "no", "duration": "5"}""", "model", "hd", "duration"),
    };

    private static Dictionary<string, Case> GenerateHeaderCases { get; } = new(StringComparer.Ordinal)
    {
        ["Idempotency-Key of 256 chars"] = GenerateWithHeader("Idempotency-Key", new string('i', 256)),
        ["Idempotency-Key empty"] = GenerateWithHeader("Idempotency-Key", ""),
        ["X-User-Api-Key only spaces"] = GenerateWithHeader("X-User-Api-Key", "     "),
        ["X-User-Gemini-Key only spaces"] = GenerateWithHeader("X-User-Gemini-Key", "     "),
        ["X-User-Api-Key of 1025 chars"] = GenerateWithHeader("X-User-Api-Key", new string('k', 1025)),
    };

    private static Dictionary<string, Case> TooLargeCases { get; } = new(StringComparer.Ordinal)
    {
        ["generate, Content-Length twice the limit"] = TooLarge("api/v1/video/generate", 2 * BadInputServerFixture.MaxBodyBytes, unknownLength: false),
        ["generate, Content-Length one byte over the limit"] = TooLarge("api/v1/video/generate", BadInputServerFixture.MaxBodyBytes + 1, unknownLength: false),
        ["generate, chunked without Content-Length, twice the limit"] = TooLarge("api/v1/video/generate", 2 * BadInputServerFixture.MaxBodyBytes, unknownLength: true),
        ["dev token, Content-Length twice the limit"] = TooLarge("api/v1/dev/token", 2 * BadInputServerFixture.MaxBodyBytes, unknownLength: false),
        ["dev token, chunked without Content-Length, twice the limit"] = TooLarge("api/v1/dev/token", 2 * BadInputServerFixture.MaxBodyBytes, unknownLength: true),
    };

    private static Dictionary<string, Case> ListCases { get; } = new(StringComparer.Ordinal)
    {
        ["limit=0"] = List("limit=0", "limit"),
        ["limit=101"] = List("limit=101", "limit"),
        ["limit=abc"] = List("limit=abc", "limit"),
        ["limit=-1"] = List("limit=-1", "limit"),
        ["limit=1.5"] = List("limit=1.5", "limit"),
        ["limit=99999999999"] = List("limit=99999999999", "limit"),
        ["status=done"] = List("status=done", "status"),
        ["cursor=garbage"] = List("cursor=garbage", "cursor"),
        ["cursor=tsk_ too short"] = List("cursor=tsk_0123", "cursor"),
        ["limit=0 and status=done"] = List("limit=0&status=done", "limit", "status"),
    };

    private static Dictionary<string, Case> UnknownIdCases { get; } = BuildUnknownIdCases();

    private static Dictionary<string, Case> EventsCases { get; } = new(StringComparer.Ordinal)
    {
        ["Last-Event-ID abc"] = Events("", new Dictionary<string, string> { ["Last-Event-ID"] = "abc" }),
        ["Last-Event-ID -1"] = Events("", new Dictionary<string, string> { ["Last-Event-ID"] = "-1" }),
        ["Last-Event-ID 1.5"] = Events("", new Dictionary<string, string> { ["Last-Event-ID"] = "1.5" }),
        ["Last-Event-ID over a long"] = Events("", new Dictionary<string, string> { ["Last-Event-ID"] = "99999999999999999999" }),
        ["last_event_id=abc in the query"] = Events("?last_event_id=abc", null),
    };

    private static Dictionary<string, Case> RouteCases { get; } = new(StringComparer.Ordinal)
    {
        ["GET unknown route under /api/v1"] = new(HttpMethod.Get, "api/v1/nope", null, HttpStatusCode.NotFound, "NOT_FOUND", []),
        ["POST unknown route under /api/v1/video"] = new(HttpMethod.Post, "api/v1/video/render", Utf8(ValidBody), HttpStatusCode.NotFound, "NOT_FOUND", []),
        ["GET status without an id"] = new(HttpMethod.Get, "api/v1/video/status/", null, HttpStatusCode.NotFound, "NOT_FOUND", []),
        ["unknown route without a token"] = new(HttpMethod.Get, "api/v1/nope", null, HttpStatusCode.NotFound, "NOT_FOUND", [], Authenticated: false),
        ["GET /api/v1/video/generate"] = new(HttpMethod.Get, "api/v1/video/generate", null, HttpStatusCode.MethodNotAllowed, "BAD_REQUEST", []),
        ["PUT cancel"] = new(HttpMethod.Put, $"api/v1/video/cancel/{WellFormedMissingId}", null, HttpStatusCode.MethodNotAllowed, "BAD_REQUEST", []),
        ["DELETE status"] = new(HttpMethod.Delete, $"api/v1/video/status/{WellFormedMissingId}", null, HttpStatusCode.MethodNotAllowed, "BAD_REQUEST", []),
        ["POST tasks"] = new(HttpMethod.Post, "api/v1/video/tasks", Utf8(ValidBody), HttpStatusCode.MethodNotAllowed, "BAD_REQUEST", []),
        ["GET dev token"] = new(HttpMethod.Get, "api/v1/dev/token", null, HttpStatusCode.MethodNotAllowed, "BAD_REQUEST", [], Authenticated: false),
    };

    private static Dictionary<string, Case> DevTokenCases { get; } = new(StringComparer.Ordinal)
    {
        ["user_id missing"] = DevToken("{}", "user_id"),
        ["user_id 42"] = DevToken("""{"user_id": 42}""", "user_id"),
        ["user_id null"] = DevToken("""{"user_id": null}""", "user_id"),
        ["user_id empty"] = DevToken("""{"user_id": ""}""", "user_id"),
        ["user_id only spaces"] = DevToken("""{"user_id": "   "}""", "user_id"),
        ["user_id 129 chars"] = DevToken($$"""{"user_id": "{{new string('u', 129)}}"}""", "user_id"),
        ["user_id invalid UTF-8"] = new(HttpMethod.Post, "api/v1/dev/token", [.. "{\"user_id\": \"al"u8, 0xFF, .. "ice\"}"u8], HttpStatusCode.BadRequest, "VALIDATION_ERROR", ["user_id"], Authenticated: false),
        ["user_id with a control character"] = DevToken("""{"user_id": "al\u0000ice"}""", "user_id"),
        ["body \"nope\""] = DevToken("nope"),
        ["empty body"] = DevToken(""),
        ["JSON array"] = DevToken("""[{"user_id": "alice"}]""", "user_id"),
    };

    [Theory]
    [MemberData(nameof(GenerateBodyCaseNames))]
    public Task Generate_InvalidBody_Returns400ValidationErrorAndCreatesNothing(string name) => RunAsync(GenerateBodyCases[name], createsNothing: true);

    [Theory]
    [MemberData(nameof(GenerateHeaderCaseNames))]
    public Task Generate_InvalidHeader_Returns400ValidationErrorAndCreatesNothing(string name) => RunAsync(GenerateHeaderCases[name], createsNothing: true);

    [Theory]
    [MemberData(nameof(TooLargeCaseNames))]
    public Task Post_BodyOverLimit_Returns413PayloadTooLargeAndCreatesNothing(string name) => RunAsync(TooLargeCases[name], createsNothing: true);

    [Theory]
    [MemberData(nameof(ListCaseNames))]
    public Task List_InvalidQuery_Returns400ValidationError(string name) => RunAsync(ListCases[name], createsNothing: false);

    [Theory]
    [MemberData(nameof(UnknownIdCaseNames))]
    public Task TaskRoute_UnknownOrMalformedId_Returns404NotFound(string name) => RunAsync(UnknownIdCases[name], createsNothing: true);

    [Theory]
    [MemberData(nameof(EventsCaseNames))]
    public Task Events_InvalidResumePoint_Returns400ValidationError(string name) => RunAsync(EventsCases[name], createsNothing: false);

    [Theory]
    [MemberData(nameof(RouteCaseNames))]
    public Task Request_UnknownRouteOrWrongMethod_ReturnsEnvelope(string name) => RunAsync(RouteCases[name], createsNothing: true);

    [Theory]
    [MemberData(nameof(DevTokenCaseNames))]
    public Task DevToken_InvalidBody_Returns400ValidationError(string name) => RunAsync(DevTokenCases[name], createsNothing: false);

    [Fact]
    public async Task Cancel_SucceededTask_Returns400BadRequestAndTaskStaysSucceeded()
    {
        using var client = await _server.CreateClientAsync("cancel-succeeded");
        var created = await client.GenerateAsync(TaskApi.Body());
        var done = await client.WaitForStatusAsync(created.Id(), "succeeded");

        var response = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/video/cancel/{created.Id()}"));

        ErrorEnvelope.AssertError(response, HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Equal(done.ToString(), (await client.StatusAsync(created.Id())).ToString());
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Retry_SucceededTask_Returns400BadRequestAndTaskStaysSucceeded()
    {
        using var client = await _server.CreateClientAsync("retry-succeeded");
        var created = await client.GenerateAsync(TaskApi.Body());
        var done = await client.WaitForStatusAsync(created.Id(), "succeeded");

        var response = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/video/retry/{created.Id()}"));

        ErrorEnvelope.AssertError(response, HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Equal(done.ToString(), (await client.StatusAsync(created.Id())).ToString());
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Retry_QueuedTask_Returns400BadRequestAndAddsNoAttempt()
    {
        // One running task per user on this server: of two new tasks, one waits queued while the other runs.
        using var client = await _server.CreateClientAsync("retry-queued");
        var first = await client.GenerateAsync(TaskApi.Body("first"));
        var second = await client.GenerateAsync(TaskApi.Body("second"));
        var queued = new[] { await client.StatusAsync(first.Id()), await client.StatusAsync(second.Id()) }.FirstOrDefault(t => t.Status() == "queued");
        Assert.True(queued.ValueKind == JsonValueKind.Object, "Neither task was queued; the per-user running limit did not hold one back.");

        var response = await client.SendRawAsync(new HttpRequestMessage(HttpMethod.Post, $"api/v1/video/retry/{queued.Id()}"));

        ErrorEnvelope.AssertError(response, HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Equal(1, (await client.StatusAsync(queued.Id())).GetProperty("attempt").GetInt32());
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Events_TaskIdOfAnotherUser_Returns404NotFound()
    {
        using var owner = await _server.CreateClientAsync("events-owner");
        using var other = await _server.CreateClientAsync("events-other");
        var created = await owner.GenerateAsync(TaskApi.Body());

        var response = await other.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/video/events?task_id={created.Id()}"));

        ErrorEnvelope.AssertError(response, HttpStatusCode.NotFound, "NOT_FOUND");
        _server.AssertNoErrorsLogged();
    }

    [Theory]
    [InlineData("header")]
    [InlineData("query")]
    public async Task Events_ResumePointAheadOfTheLog_Returns400BadRequest(string form)
    {
        using var client = await _server.CreateClientAsync(BadUser);
        var ahead = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Get, form == "query" ? $"api/v1/video/events?last_event_id={ahead}" : "api/v1/video/events");
        if (form == "header")
        {
            request.Headers.Add("Last-Event-ID", ahead);
        }

        var response = await client.SendRawAsync(request);

        var error = ErrorEnvelope.AssertError(response, HttpStatusCode.BadRequest, "BAD_REQUEST");
        Assert.Contains("ahead of this server's event log", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Generate_PromptOf4000CharsAfterTrim_IsAccepted()
    {
        using var client = await _server.CreateClientAsync("prompt-boundary");
        var prompt = new string('k', 4000);

        var created = await client.GenerateAsync(new { prompt = "  " + prompt + "\n", model = new string('m', 100), duration = 60 });

        Assert.Equal(prompt, created.GetProperty("prompt").GetString());
        _server.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Generate_BodyExactlyAtLimit_IsAccepted()
    {
        using var client = await _server.CreateClientAsync("size-boundary");
        var json = """{"prompt": "a kite", "model": "sora-2"}""";
        var body = json[..^1] + new string(' ', BadInputServerFixture.MaxBodyBytes - json.Length) + "}";
        Assert.Equal(BadInputServerFixture.MaxBodyBytes, Encoding.UTF8.GetByteCount(body));

        var (status, envelope) = await client.PostEnvelopeAsync("api/v1/video/generate", body);

        Assert.True(status == HttpStatusCode.OK, $"A body of exactly the limit got {(int)status}: {envelope}");
        _server.AssertNoErrorsLogged();
    }

    private static TheoryData<string> Names(Dictionary<string, Case> cases)
    {
        var data = new TheoryData<string>();
        foreach (var name in cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static Case Generate(string body, params string[] fields) => Generate(Utf8(body), fields);

    private static Case Generate(byte[] body, params string[] fields) =>
        new(HttpMethod.Post, "api/v1/video/generate", body, HttpStatusCode.BadRequest, "VALIDATION_ERROR", fields);

    private static Case GenerateWithHeader(string header, string value) =>
        new(HttpMethod.Post, "api/v1/video/generate", Utf8(ValidBody), HttpStatusCode.BadRequest, "VALIDATION_ERROR", [header], new Dictionary<string, string> { [header] = value });

    /// <summary>A valid JSON object padded with spaces to <paramref name="size"/> bytes.</summary>
    private static Case TooLarge(string path, int size, bool unknownLength)
    {
        var json = path.EndsWith("token", StringComparison.Ordinal) ? """{"user_id": "mallory"}""" : ValidBody;
        var body = json[..^1] + new string(' ', size - json.Length) + "}";
        return new(HttpMethod.Post, path, Utf8(body), HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE", [], UnknownLength: unknownLength, Authenticated: !path.EndsWith("token", StringComparison.Ordinal));
    }

    private static Case List(string query, params string[] fields) =>
        new(HttpMethod.Get, "api/v1/video/tasks?" + query, null, HttpStatusCode.BadRequest, "VALIDATION_ERROR", fields);

    private static Case Events(string query, IReadOnlyDictionary<string, string>? headers) =>
        new(HttpMethod.Get, "api/v1/video/events" + query, null, HttpStatusCode.BadRequest, "VALIDATION_ERROR", ["last_event_id"], headers);

    private static Case DevToken(string body, params string[] fields) =>
        new(HttpMethod.Post, "api/v1/dev/token", Utf8(body), HttpStatusCode.BadRequest, "VALIDATION_ERROR", fields, Authenticated: false);

    private static Dictionary<string, Case> BuildUnknownIdCases()
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["well-formed id of no task"] = WellFormedMissingId,
            ["malformed id"] = "nope",
            ["id in lower case"] = "tsk_01jd3q8w6z9k2m4n7p0r5s8t1v",
            ["id of 300 chars"] = "tsk_" + new string('0', 296),
        };
        var routes = new (string Name, HttpMethod Method, string Path)[]
        {
            ("status", HttpMethod.Get, "api/v1/video/status/"),
            ("cancel", HttpMethod.Post, "api/v1/video/cancel/"),
            ("retry", HttpMethod.Post, "api/v1/video/retry/"),
            ("events", HttpMethod.Get, "api/v1/video/events?task_id="),
        };
        var cases = new Dictionary<string, Case>(StringComparer.Ordinal);
        foreach (var (routeName, method, path) in routes)
        {
            foreach (var (idName, id) in ids)
            {
                cases[$"{routeName}, {idName}"] = new(method, path + id, null, HttpStatusCode.NotFound, "NOT_FOUND", []);
            }
        }

        return cases;
    }

    private async Task RunAsync(Case c, bool createsNothing)
    {
        using var client = c.Authenticated ? await _server.CreateClientAsync(BadUser) : _server.CreateClient();
        using var request = new HttpRequestMessage(c.Method, c.Path);
        if (c.Body is { } body)
        {
            request.Content = c.UnknownLength ? new UnknownLengthContent(body) : new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        foreach (var (header, value) in c.Headers ?? new Dictionary<string, string>())
        {
            Assert.True(request.Headers.TryAddWithoutValidation(header, value), $"Could not set {header}.");
        }

        var response = await client.SendRawAsync(request);

        ErrorEnvelope.AssertError(response, c.Status, c.Code, c.Fields);
        if (createsNothing)
        {
            using var owner = await _server.CreateClientAsync(BadUser);
            var (status, list) = await owner.GetEnvelopeAsync("api/v1/video/tasks?limit=100");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(0, list.GetProperty("data").GetProperty("items").GetArrayLength());
        }

        _server.AssertNoErrorsLogged();
    }

    /// <summary>A body whose length is not known up front, so the client sends it chunked without Content-Length.</summary>
    private sealed class UnknownLengthContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
