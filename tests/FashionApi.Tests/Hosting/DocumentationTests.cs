using System.Net;
using System.Text.Json;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Hosting;

public class DocumentationTests(FashionApiFactory factory) : IClassFixture<FashionApiFactory>
{
    [Fact]
    public async Task The_openapi_document_has_a_summary_for_every_operation_and_an_upload_form_for_predict()
    {
        var client = factory.CreateClient();
        var document = await (await client.GetAsync("/swagger/v1/swagger.json")).AssertOkJsonAsync();
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Name: $"{op.Name.ToUpperInvariant()} {path.Name}", Operation: op.Value)))
            .ToList();

        string[] expected = ["POST /predict", "POST /predict/batch", "POST /train", "GET /train", "GET /train/{id}", "DELETE /train/{id}",
            "GET /model", "GET /models", "POST /models/{version}/activate", "GET /status", "GET /health/live", "GET /health/ready",
            "GET /train/{id}/events", "GET /train/presets", "GET /models/{version}/weights", "GET /samples", "GET /samples/{index}.png",
            "GET /samples/classes", "GET /models/{version}/onnx"];
        Assert.Empty(expected.Except(operations.Select(o => o.Name)));
        Assert.All(operations, o => Assert.False(string.IsNullOrWhiteSpace(o.Operation.GetProperty("summary").GetString()), o.Name));

        var predict = operations.Single(o => o.Name == "POST /predict").Operation.GetProperty("requestBody").GetProperty("content");
        var form = predict.GetProperty("multipart/form-data").GetProperty("schema").GetProperty("properties").GetProperty("image");
        Assert.Equal("binary", form.GetProperty("format").GetString());
        Assert.True(predict.TryGetProperty("image/png", out _));
        Assert.True(predict.TryGetProperty("application/json", out _));

        var onnx = operations.Single(o => o.Name == "GET /models/{version}/onnx").Operation.GetProperty("responses");
        Assert.Equal("binary", onnx.GetProperty("200").GetProperty("content").GetProperty("application/onnx")
            .GetProperty("schema").GetProperty("format").GetString());
        Assert.True(onnx.TryGetProperty("404", out _) && onnx.TryGetProperty("409", out _));

        var train = operations.Single(o => o.Name == "POST /train").Operation;
        Assert.True(train.TryGetProperty("security", out _), "POST /train should declare the API key");
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("TrainRequest", out var trainRequest));
        Assert.True(trainRequest.GetProperty("properties").GetProperty("epochs").TryGetProperty("description", out _));
    }

    [Fact]
    public async Task Swagger_ui_is_served_beside_the_page_at_the_root()
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var root = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/swagger", await root.Content.ReadAsStringAsync());
        var ui = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_paths_get_a_problem_details_404()
    {
        await (await factory.CreateClient().GetAsync("/nothing-here")).AssertProblemAsync(HttpStatusCode.NotFound, "/swagger");
    }

    [Fact]
    public async Task Status_shows_the_model_and_its_accuracy_at_a_glance()
    {
        var client = await factory.CreateReadyClientAsync();
        var status = await (await client.GetAsync("/status")).AssertOkJsonAsync();
        Assert.True(status.GetProperty("modelReady").GetBoolean());
        Assert.Equal(factory.SeedVersion, status.GetProperty("modelVersion").GetString());
        Assert.InRange(status.GetProperty("testAccuracy").GetDouble(), 0.823, 0.833);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("training").ValueKind);
    }
}
