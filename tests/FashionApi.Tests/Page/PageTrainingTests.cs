using System.Text.RegularExpressions;
using Microsoft.Playwright;
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
    static async Task EnterKeyAsync(IPage page, string key)
    {
        await Expect(page.Locator("#key-dialog")).ToBeVisibleAsync();
        await page.Locator("#key-input").FillAsync(key);
        await page.Locator("#key-dialog button[value='ok']").ClickAsync();
    }

    [Fact]
    public async Task A_seed_job_started_from_the_page_draws_five_epochs_live_and_ends_succeeded_a_long_one_is_cancelled_and_an_older_version_activated()
    {
        var (page, errors) = await fixture.OpenAsync("/#train", initScript: """
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
        await page.Locator("#preset").SelectOptionAsync("seed");
        await Expect(page.Locator("[name=learningRate]")).ToHaveValueAsync("0.1");
        await Expect(page.Locator("[name=optimizer]")).ToHaveValueAsync("sgd");
        await Expect(page.Locator("[name=shuffle]")).Not.ToBeCheckedAsync();

        // A wrong key: the service's 401 is said on the page, and nothing starts.
        await page.Locator("#start").ClickAsync();
        await EnterKeyAsync(page, "wrong");
        await Expect(page.Locator("#train-error")).ToContainTextAsync("X-Api-Key");

        // A long job holds the queue, so the page's job waits with an empty curve and every epoch arrives live.
        using var api = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        api.DefaultRequestHeaders.Add("X-Api-Key", GuardedPageFixture.ApiKey);
        var blocker = await api.PostAsync("/train", new StringContent("{\"preset\":\"seed\",\"epochs\":500}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, blocker.StatusCode);

        await page.Locator("#start").ClickAsync();
        await EnterKeyAsync(page, GuardedPageFixture.ApiKey);
        await Expect(page.Locator("#job-status")).ToContainTextAsync("queued");
        Assert.Equal(0, await page.EvaluateAsync<int>("Chart.getChart('curves').data.labels.length"));
        await api.DeleteAsync(blocker.Headers.Location);
        await Expect(page.Locator("#job-status")).ToContainTextAsync("succeeded", new() { Timeout = 120_000 });
        string[] received = await page.EvaluateAsync<string[]>("window.receivedEvents");
        Assert.Equal(5, received.Count(e => e == "epoch"));
        Assert.Equal(["snapshot", "done"], received.Where(e => e is "snapshot" or "done"));
        Assert.Equal(5, await page.EvaluateAsync<int>("Chart.getChart('curves').data.datasets[2].data.length"));
        int[] epochs = await page.EvaluateAsync<int[]>("Chart.getChart('curves').data.labels");
        Assert.Equal([1, 2, 3, 4, 5], epochs);
        double lastTest = await page.EvaluateAsync<double>("Chart.getChart('curves').data.datasets[2].data[4]");
        Assert.InRange(lastTest, 0.823, 0.833);
        await Expect(page.Locator("#jobs tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#jobs tr").First).ToContainTextAsync("succeeded");
        await Expect(page.Locator("#jobs tr").Nth(1)).ToContainTextAsync("cancelled");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "train.png"), FullPage = true });
        await Expect(page.Locator("#cancel")).ToBeDisabledAsync();

        // A long job shows its progress within the epoch, and the Cancel button stops it.
        await page.Locator("[name=epochs]").FillAsync("500");
        await page.Locator("#start").ClickAsync();
        await Expect(page.Locator("#job-status")).ToContainTextAsync(new Regex(@"running — epoch \d+/500, batch \d+/235"));
        await page.Locator("#cancel").ClickAsync();
        await Expect(page.Locator("#job-status")).ToContainTextAsync("cancelled");
        await Expect(page.Locator("#cancel")).ToBeDisabledAsync();

        // Models: the new version is active; the older one (the seed model saved before start-up) can be activated.
        await page.Locator("nav a[data-view='models']").ClickAsync();
        var rows = page.Locator("#versions tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.First.Locator(".badge")).ToHaveTextAsync("active");
        await Expect(rows.First).ToContainTextAsync("sgd lr 0.1, 5 epochs, batch 256, in file order, seed 0");
        await Expect(rows.First).ToContainTextAsync("seed"); // the preset
        await page.Locator($"button[aria-label='Activate {fixture.Factory.SeedVersion}']").ClickAsync();
        await Expect(rows.Nth(1).Locator(".badge")).ToHaveTextAsync("active");
        await Expect(rows.First.Locator("button")).ToHaveTextAsync("Activate");
        await Expect(page.Locator("#model-line")).ToContainTextAsync(fixture.Factory.SeedVersion!);
        await Expect(page.Locator("#weights canvas")).ToHaveCountAsync(10);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "models.png"), FullPage = true });

        // Only the refused key's 401 may show in the console (the browser logs failed requests itself).
        Assert.All(errors, e => Assert.Matches(new Regex("status of 401"), e));
    }
}
