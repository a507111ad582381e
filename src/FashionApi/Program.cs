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
builder.ConfigureKestrelLimits();

var app = builder.Build();
app.UseTrustedProxies();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseJsonCharsetCheck();
app.UseCrossSiteGuard();
app.UseRateLimiter();
app.UseWebPage();
app.UseApiDocumentation();
app.UseManagementKey();

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
