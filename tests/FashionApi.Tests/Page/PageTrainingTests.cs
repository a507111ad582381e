using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static FashionApi.Tests.Page.PageChecks;
using static Microsoft.Playwright.Assertions;

namespace FashionApi.Tests.Page;

public sealed class GuardedPageFixture() : BrowserFixture(new() { ["FashionApi:ApiKey"] = GuardedPageFixture.ApiKey })
{
    public const string ApiKey = "page-test-key-0123456789";
}

/// <summary>Training and activation from the page, on a service that wants an API key for both.</summary>
[Trait("Category", "EndToEnd")]
public class PageTrainingTests(GuardedPageFixture fixture) : IClassFixture<GuardedPageFixture>
{
    static async Task EnterKeyAsync(IPage page, string key, string? reason = null)
    {
        await Expect(page.Locator("#key-dialog")).ToBeVisibleAsync();
        if (reason is not null) await Expect(page.Locator("#key-reason")).ToContainTextAsync(reason);
        await page.Locator("#key-input").FillAsync(key);
        await page.Locator("#key-dialog button[value='ok']").ClickAsync();
    }

    static async Task ForBothWidthsAsync(IPage page, string view, string screenshot)
    {
        foreach (var (width, height) in new[] { (375, 800), (1280, 900) })
        {
            await page.SetViewportSizeAsync(width, height);
            await page.WaitForTimeoutAsync(300); // charts redraw on resize
            await AssertFitsAsync(page, view);
            await AssertAccessibleAsync(page, $"the {view} view");
            await page.ScreenshotAsync(new() { Path = Screenshot($"{screenshot}-{width}.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task Jobs_started_from_the_page_draw_finished_epochs_live_say_whether_their_model_was_activated_and_versions_compare_and_activate()
    {
        var (page, errors) = await fixture.OpenAsync("/#train", initScript: """
            // This browser's clock is an hour fast: times shown are still the service's (from its Date header).
            const realNow = Date.now;
            Date.now = () => realNow() + 3600 * 1000;
            // Records the type of every Server-Sent Event the page receives, from a copy of each event stream it fetches.
            window.receivedEvents = [];
            const realFetch = window.fetch;
            window.fetch = async (...args) => {
              const response = await realFetch(...args);
              if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) return response;
              const [copy, page] = response.body.tee();
              (async () => {
                const reader = copy.pipeThrough(new TextDecoderStream()).getReader();
                let buffer = "";
                for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
                  buffer += chunk.value;
                  for (let end; (end = buffer.indexOf("\n\n")) >= 0; buffer = buffer.slice(end + 2)) {
                    const type = /^event: ?(.*)$/m.exec(buffer.slice(0, end));
                    if (type && /^data:/m.test(buffer.slice(0, end))) window.receivedEvents.push(type[1].trim());
                  }
                }
              })();
              return new Response(page, { status: response.status, statusText: response.statusText, headers: response.headers });
            };
            """);
        await Expect(page.Locator("#preset option")).ToHaveCountAsync(2);
        // The page's promotion policy is ifBetter (the API's default stays 'always'), said in words.
        await Expect(page.Locator("[name=activate]")).ToHaveValueAsync("ifBetter");
        await Expect(page.Locator("#activate-hint")).ToContainTextAsync("only if its test accuracy beats the active model's");
        await page.Locator("#preset").SelectOptionAsync("seed");
        await Expect(page.Locator("[name=learningRate]")).ToHaveValueAsync("0.1");
        await Expect(page.Locator("[name=optimizer]")).ToHaveValueAsync("sgd");
        await Expect(page.Locator("[name=shuffle]")).Not.ToBeCheckedAsync();
        await Expect(page.Locator("[name=activate]")).ToHaveValueAsync("ifBetter"); // a preset does not reset the policy

        // A wrong key: the page says it was refused, and nothing starts.
        await page.Locator("#start").ClickAsync();
        await EnterKeyAsync(page, "wrong", "X-Api-Key");
        await EnterKeyAsync(page, "wrong again", "The API key was refused");
        await Expect(page.Locator("#train-error")).ToContainTextAsync("The API key was refused");
        await Expect(page.Locator("#jobs tr")).ToHaveCountAsync(0);

        // A long job holds the queue, so the page's job waits with an empty curve and every epoch arrives live.
        using var api = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        api.DefaultRequestHeaders.Add("X-Api-Key", GuardedPageFixture.ApiKey);
        var blocker = await api.PostAsync("/train", new StringContent("{\"preset\":\"seed\",\"epochs\":500}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, blocker.StatusCode);

        await page.Locator("#start").ClickAsync();
        await EnterKeyAsync(page, GuardedPageFixture.ApiKey);
        await Expect(page.Locator("#job-status")).ToContainTextAsync("queued — it starts when the job training now has finished");
        // The waiting time ticks on; a second of it also makes the queue time below long enough to be shown (it is
        // left out under 0.1 s, which a fast machine reached when the blocker was cancelled at once).
        await Expect(page.Locator("#job-timing")).ToHaveTextAsync(new Regex(@"^Waiting for [1-9]\d*(\.\d)? s$"));
        Assert.Equal(0, await page.EvaluateAsync<int>("Chart.getChart('curves').data.labels.length"));
        await api.DeleteAsync(blocker.Headers.Location);
        await Expect(page.Locator("#job-status")).ToContainTextAsync("succeeded — model", new() { Timeout = 120_000 });
        string[] received = await page.EvaluateAsync<string[]>("window.receivedEvents");
        Assert.Equal(5, received.Count(e => e == "epoch"));
        Assert.Equal(["snapshot", "done"], received.Where(e => e is "snapshot" or "done"));
        Assert.Equal(5, await page.EvaluateAsync<int>("Chart.getChart('curves').data.datasets[2].data.length"));
        int[] epochs = await page.EvaluateAsync<int[]>("Chart.getChart('curves').data.labels");
        Assert.Equal([1, 2, 3, 4, 5], epochs);
        double lastTest = await page.EvaluateAsync<double>("Chart.getChart('curves').data.datasets[2].data[4]");
        Assert.InRange(lastTest, 0.823, 0.833);
        await Expect(page.Locator("#job-timing")).ToHaveTextAsync(new Regex(@"^Took \d+(\.\d)? s \(after \d+(\.\d)? s in the queue\)$"));
        // Exactly as accurate as the seed model serving: ifBetter keeps it, and the page says so and why.
        await Expect(page.Locator("#job-notice")).ToHaveClassAsync("notice warn");
        await Expect(page.Locator("#job-notice")).ToContainTextAsync("was saved but not activated: activate was 'ifBetter'");
        await Expect(page.Locator("#job-notice")).ToContainTextAsync("does not beat");
        await Expect(page.Locator("#model-line")).ToContainTextAsync(fixture.Factory.SeedVersion!);
        var rows = page.Locator("#jobs tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.First).ToContainTextAsync("succeeded");
        await Expect(rows.First).ToContainTextAsync("fused"); // the implementation column
        await Expect(rows.First).ToContainTextAsync("(not activated)");
        await Expect(rows.Nth(1)).ToContainTextAsync("cancelled");
        await Expect(page.Locator("#cancel")).ToBeDisabledAsync();
        string notActivated = (await page.Locator("#job-status").InnerTextAsync()).Split("model ")[1].Split(",")[0];

        // Two epochs with 'always': less accurate, activated anyway, and the page says that too.
        await page.Locator("[name=epochs]").FillAsync("2");
        await page.Locator("[name=activate]").SelectOptionAsync("always");
        await Expect(page.Locator("#activate-hint")).ToContainTextAsync("even if it is less accurate");
        await page.Locator("#start").ClickAsync();
        await Expect(page.Locator("#job-notice")).ToContainTextAsync("was activated: it serves predictions now (policy always)");
        await Expect(page.Locator("#job-notice")).ToHaveClassAsync("notice good");
        string worse = (await page.Locator("#job-status").InnerTextAsync()).Split("model ")[1].Split(",")[0];
        await Expect(page.Locator("#model-line")).ToContainTextAsync(worse);

        // A long job: progress within the epoch, elapsed time and ETA, curves of finished epochs only.
        await page.Locator("[name=epochs]").FillAsync("500");
        await page.Locator("#start").ClickAsync();
        await Expect(page.Locator("#job-status")).ToContainTextAsync(new Regex(@"running — epoch \d+ of 500, batch \d+ of 235 \(\d+\.\d%\)"));
        await Expect(page.Locator("#job-timing")).ToHaveTextAsync(new Regex(@"^Running for \d+(\.\d)? s · (about \d.* left|estimating the time left…)$"));
        await BrowserFixture.UntilAsync(page, "() => Chart.getChart('curves').data.labels.length >= 3");
        Assert.False(await page.EvaluateAsync<bool>("Chart.getChart('curves').options.animation !== false")); // no point rising from the bottom
        string id = await page.Locator("#jobs tr.followed").GetAttributeAsync("data-job") ?? "";
        var drawn = await page.EvaluateAsync<double[]>("Chart.getChart('curves').data.datasets[2].data");
        using (var job = JsonDocument.Parse(await api.GetStringAsync($"/train/{id}")))
        {
            var history = job.RootElement.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("testAccuracy").GetDouble()).ToList();
            var progress = job.RootElement.GetProperty("progress");
            int epoch = progress.GetProperty("epoch").GetInt32();
            bool epochDone = progress.GetProperty("batch").GetInt32() == progress.GetProperty("batchesPerEpoch").GetInt32();
            // Every point drawn is a finished epoch as the server recorded it; none is the epoch still running.
            Assert.Equal(history.Take(drawn.Length), drawn);
            Assert.True(drawn.Length < epoch || (drawn.Length == epoch && epochDone) || job.RootElement.GetProperty("status").GetString() != "running",
                $"{drawn.Length} points drawn while epoch {epoch} runs");
        }
        await ForBothWidthsAsync(page, "train", "train-running");
        await page.Locator("#cancel").ClickAsync();
        await Expect(page.Locator("#job-status")).ToContainTextAsync(new Regex(@"cancelled while running, after \d+ of 500 epochs; the model that was serving still serves\."));
        await Expect(page.Locator("#cancel")).ToBeDisabledAsync();
        await ForBothWidthsAsync(page, "train", "train-jobs");

        // Models: one request lists everything (no request per version), each compared with the active one.
        var versionRequests = new List<string>();
        page.Request += (_, request) => { if (Regex.IsMatch(request.Url, @"/models/[^/]+$")) versionRequests.Add(request.Url); };
        await page.Locator("nav a[data-view='models']").ClickAsync();
        var versions = page.Locator("#versions tr");
        await Expect(versions).ToHaveCountAsync(3);
        await Expect(page.Locator("#weights canvas")).ToHaveCountAsync(10);
        Assert.Empty(versionRequests);
        var worseRow = page.Locator($"#versions tr[data-version='{worse}']");
        var seedRow = page.Locator($"#versions tr[data-version='{fixture.Factory.SeedVersion}']");
        var twinRow = page.Locator($"#versions tr[data-version='{notActivated}']");
        await Expect(worseRow.Locator(".badge")).ToHaveTextAsync("active");
        await Expect(worseRow).ToContainTextAsync("this is the active model");
        await Expect(worseRow).ToContainTextAsync("sgd lr 0.1, 2 epochs, batch 256, in file order, seed 0");
        await Expect(seedRow).ToContainTextAsync(new Regex(@"\+\d+\.\d\d pts · more accurate"));
        await Expect(seedRow.Locator(".better")).ToBeVisibleAsync();
        await Expect(twinRow).ToContainTextAsync("seed preset");
        await Expect(twinRow).ToContainTextAsync("sgd lr 0.1, 5 epochs, batch 256, in file order, seed 0");
        // Two runs of the deterministic seed preset: told apart by job, and said to have the same weights.
        using (var list = JsonDocument.Parse(await api.GetStringAsync("/models")))
        {
            var byVersion = list.RootElement.EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!);
            string sha = byVersion[notActivated].GetProperty("weightsSha256").GetString()!;
            await Expect(twinRow).ToContainTextAsync($"job {byVersion[notActivated].GetProperty("jobId").GetString()} · weights #{sha[..8]}");
            if (byVersion[fixture.Factory.SeedVersion!].GetProperty("weightsSha256").GetString() == sha)
                await Expect(twinRow).ToContainTextAsync($"same weights as {fixture.Factory.SeedVersion}");
        }

        // Any version's weights, not only the active one's.
        await twinRow.Locator("button", new() { HasText = "Weights" }).ClickAsync();
        await Expect(page.Locator("#weights-title")).ToHaveTextAsync($"What model {notActivated} learned");
        await Expect(twinRow).ToHaveClassAsync("shown");
        await Expect(page.Locator("#weights canvas").First).ToHaveAttributeAsync("aria-label", $"Weights of {notActivated} for T-shirt/top");

        // A wrong key is said to be refused; the right one activates, and the page says what changed.
        await page.EvaluateAsync("sessionStorage.setItem('fashionapi.apiKey', 'wrong')");
        await seedRow.Locator("button", new() { HasText = "Activate" }).ClickAsync();
        await Expect(page.Locator("#key-reason")).ToContainTextAsync("The API key was refused");
        await AssertAccessibleAsync(page, "the API key dialog");
        await page.Locator("#key-dialog button[value='cancel']").ClickAsync();
        await Expect(page.Locator("#models-error")).ToContainTextAsync("Not activated: The API key was refused");
        await Expect(worseRow.Locator(".badge")).ToHaveTextAsync("active");
        await seedRow.Locator("button", new() { HasText = "Activate" }).ClickAsync();
        await EnterKeyAsync(page, GuardedPageFixture.ApiKey);
        await Expect(page.Locator("#models-notice")).ToHaveTextAsync(new Regex(
            $@"^Model {Regex.Escape(fixture.Factory.SeedVersion!)} is now active: test accuracy \d+\.\d\d% \({Regex.Escape(worse)} had \d+\.\d\d%\)\.$"));
        await Expect(page.Locator("#models-notice")).ToHaveClassAsync("notice good");
        await Expect(page.Locator("#models-error")).ToBeHiddenAsync();
        await Expect(seedRow.Locator(".badge")).ToHaveTextAsync("active");
        await Expect(worseRow.Locator("button", new() { HasText = "Activate" })).ToBeVisibleAsync();
        await Expect(worseRow).ToContainTextAsync(new Regex(@"−\d+\.\d\d pts · less accurate"));
        await Expect(page.Locator("#model-line")).ToContainTextAsync(fixture.Factory.SeedVersion!);
        await Expect(page.Locator("#weights canvas")).ToHaveCountAsync(10);
        Assert.Empty(versionRequests);
        await ForBothWidthsAsync(page, "models", "models-versions");

        // Only the refused keys' 401s may show in the console (the browser logs failed requests itself).
        Assert.All(errors, e => Assert.Matches(new Regex("status of 401"), e));
    }
}
