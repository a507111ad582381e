using System.Text.Json;
using Microsoft.Playwright;

namespace FashionApi.Tests.Page;

/// <summary>Checks a person would make of any view: does it fit its screen, can everyone use it, is the answer in sight.</summary>
public static class PageChecks
{
    /// <summary>axe-core from npm, vendored beside this file (see its README).</summary>
    static readonly Lazy<string> AxeScript = new(() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Page", "axe-core-4.14.1", "axe.min.js")));

    /// <summary>
    /// Fails when any part of the view is wider than the box it is in: content spilling out of (or clipped by) a box
    /// that does not scroll, a box that scrolls sideways without saying so (no <c>.overflowing</c> cue), or a page
    /// wider than the screen. Text cut on purpose with an ellipsis is allowed.
    /// </summary>
    public static async Task AssertFitsAsync(IPage page, string view)
    {
        string[] problems = await page.EvaluateAsync<string[]>("""
            view => {
              const name = e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${[...e.classList].map(c => '.' + c).join('')}`;
              function* ancestors(e) { for (; e && e !== document.body; e = e.parentElement) yield e; }
              const problems = [];
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth > width + 1)
                problems.push(`the page is ${document.documentElement.scrollWidth - width} px wider than the ${width} px screen`);
              for (const e of [document.querySelector('header'), ...document.getElementById(view).querySelectorAll('*')]) {
                const box = e.getBoundingClientRect();
                // Skipped: what is not drawn, and what is hidden for all but screen readers (a 1 px clipped box).
                if (box.width <= 1 || e.closest('.visually-hidden') || e.tagName === 'OPTION') continue;
                const style = getComputedStyle(e);
                const scroller = e.parentElement && [...ancestors(e.parentElement)].find(a => ['auto', 'scroll'].includes(getComputedStyle(a).overflowX));
                if (box.right > width + 1 && !scroller) problems.push(`${name(e)} ends at ${Math.round(box.right)} px, past the screen's ${width} px`);
                if (e.scrollWidth <= e.clientWidth + 1 || ['SELECT', 'INPUT', 'CANVAS', 'TEXTAREA'].includes(e.tagName)) continue;
                if (style.textOverflow === 'ellipsis') continue;
                const scrolls = ['auto', 'scroll'].includes(style.overflowX);
                if (!scrolls) problems.push(`${name(e)}'s content is ${e.scrollWidth - e.clientWidth} px wider than it (overflow-x: ${style.overflowX})`);
                else if (!e.classList.contains('overflowing')) problems.push(`${name(e)} scrolls sideways by ${e.scrollWidth - e.clientWidth} px with no sign that it does`);
              }
              return problems;
            }
            """, view);
        Assert.True(problems.Length == 0, $"the {view} view does not fit at {page.ViewportSize?.Width} px: {string.Join("; ", problems.Take(8))}");
    }

    /// <summary>Runs axe-core over the page as it is shown: no serious or critical violation (WCAG 2.1 AA and best
    /// practice rules: names, labels, contrast, keyboard access to scrolling regions…).</summary>
    public static async Task AssertAccessibleAsync(IPage page, string what)
    {
        // Evaluated through the DevTools protocol, so a strict Content-Security-Policy does not stop it.
        if (!await page.EvaluateAsync<bool>("typeof window.axe === 'object'")) await page.EvaluateAsync(AxeScript.Value);
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(', ')}`);
            }
            """);
        var list = violations.EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.True(list.Count == 0, $"{what} at {page.ViewportSize?.Width} px: {string.Join(" | ", list)}");
    }

    /// <summary>True when all of the element is inside the viewport (what a person sees without scrolling).</summary>
    public static async Task<bool> IsInViewAsync(ILocator locator) =>
        await locator.EvaluateAsync<bool>("e => { const b = e.getBoundingClientRect(); return b.height > 0 && b.top >= -1 && b.bottom <= window.innerHeight + 1; }");

    /// <summary>Waits (smooth scrolling takes a moment) until the element is wholly in view.</summary>
    public static async Task ExpectInViewAsync(ILocator locator, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); !await IsInViewAsync(locator); await Task.Delay(100))
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{what} is not in view: {await locator.EvaluateAsync<string>("e => JSON.stringify(e.getBoundingClientRect())")} in a window {await locator.Page.EvaluateAsync<int>("innerHeight")} px high");
    }

    /// <summary>Holds every request to URLs matching <paramref name="pattern"/> for <paramref name="delay"/> before
    /// it goes to the service, so a loading state can be seen on a quick machine.</summary>
    public static Task SlowDownAsync(IPage page, string pattern, TimeSpan delay) =>
        page.RouteAsync(pattern, async route =>
        {
            await Task.Delay(delay);
            await route.ContinueAsync();
        });

    public static string Screenshot(string name) => Path.Combine(BrowserFixture.ScreenshotDirectory, name);
}
