using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Page;
using FashionApi.Predictions;
using FashionApi.Samples;
using FashionApi.Status;
using FashionApi.Training;
using FashionApi.OpenInference;

NativeHeap.ReturnLargeBlocksToTheSystem();

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddFashionApi(builder.Configuration);
builder.AddObservability();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseJsonCharsetCheck();
app.UseRateLimiter();
app.UseWebPage();
app.UseApiDocumentation();
app.WarnWhenNoApiKey();

app.MapPredictions();
app.MapTraining();
app.MapModels();
app.MapSamples();
app.MapStatus();
app.MapOpenInference();
app.MapObservability();

app.Run();

/// <summary>Entry point; public so tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
