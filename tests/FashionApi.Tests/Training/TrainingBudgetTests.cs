using System.Net;
using FashionApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Training;

/// <summary>Training never costs serving more than its budget: outside Development, with training at low priority (the
/// default), the implementations that cannot run below request handling are refused, saying what to use instead.</summary>
public class TrainingBudgetTests
{
    [Theory]
    [InlineData("scratch")]
    [InlineData("builtin")]
    public async Task Outside_development_jobs_that_cannot_train_at_low_priority_are_refused_naming_the_field(string implementation)
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        var problem = await (await client.PostAsync("/train", JsonBody(new { preset = "seed", implementation })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "fused");
        Assert.Contains("low priority", problem.GetProperty("errors").GetProperty("implementation")[0].GetString());
        Assert.Empty((await (await client.GetAsync("/train")).AssertOkJsonAsync()).EnumerateArray());
        await (await client.PostAsync("/train", JsonBody(new { preset = "seed", implementation = "fused", epochs = 1 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task In_development_or_with_low_priority_switched_off_they_run()
    {
        using (var factory = new FashionApiFactory())
        using (var development = factory.WithWebHostBuilder(builder => builder.UseEnvironment("Development")))
            await (await development.CreateClient().PostAsync("/train", JsonBody(new { preset = "seed", implementation = "scratch", epochs = 1 })))
                .AssertOkJsonAsync(HttpStatusCode.Accepted);
        using (var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:TrainAtLowPriority"] = "false" }))
            await (await factory.CreateClient().PostAsync("/train", JsonBody(new { preset = "seed", implementation = "builtin", epochs = 1 })))
                .AssertOkJsonAsync(HttpStatusCode.Accepted);
    }
}
