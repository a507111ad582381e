using FashionApi.Dataset;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FashionApi.Benchmarks;

/// <summary>
/// The ceiling for <c>POST /predict</c> on this machine: an ASP.NET Core endpoint that does no work. It is hosted the
/// way the service is (<c>WebApplication.CreateBuilder</c>, Kestrel, server GC from run.sh's environment, logging at
/// Warning), reads the request body to its end as any endpoint must, and answers a fixed JSON of a prediction's shape
/// and size. Measured with the same wrk load in the same run, it says how close the service comes to what the
/// framework, the loopback and wrk on the same cores allow.
/// </summary>
public static class Ceiling
{
    public static async Task<int> RunAsync(string url)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(url);
        var app = builder.Build();

        var answer = new
        {
            label = 9, className = FashionMnist.ClassNames[9], confidence = 0.97f,
            probabilities = FashionMnist.ClassNames.ToDictionary(name => name, _ => 0.003f),
            modelVersion = "20261204-184500-000-fused-000000",
            preprocessing = new { format = "png", width = 28, height = 28, grayscale = false, resized = false, inverted = false },
        };
        app.MapPost("/predict", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return TypedResults.Ok(answer);
        });
        await app.RunAsync();
        return 0;
    }
}
