using System.Diagnostics;
using System.Diagnostics.Metrics;
using FashionApi.Dataset;
using FashionApi.Models;
using FashionApi.Softmax;
using FashionApi.Training;

namespace FashionApi.Hosting;

/// <summary>Which part of a prediction a duration measures.</summary>
public enum PredictionStage { Preprocess, Forward }

/// <summary>
/// The service's own meter, <c>FashionApi</c>: every instrument in one place, named as OpenTelemetry names them
/// (dots, a unit). The Prometheus exporter turns <c>fashionapi.prediction.duration</c> with unit <c>s</c> into
/// <c>fashionapi_prediction_duration_seconds</c> and counters into <c>…_total</c>; the README lists them all.
/// Code that does the work calls one method here; values that are simply "what is now" are observed when scraped.
/// </summary>
public sealed class FashionApiMetrics : IDisposable
{
    public const string MeterName = "FashionApi";

    /// <summary>Holds the last job's per-epoch gauges. A new one replaces it for every job: OpenTelemetry keeps exporting
    /// a series it has seen until its instrument is disposed, so a 2-epoch job would otherwise still show the 8 epochs
    /// of the job before it.</summary>
    public const string LastJobMeterName = "FashionApi.Training.LastJob";

    static readonly double[] SecondsBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    static readonly int[] ImageBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536];

    // Tag values made once, so recording allocates nothing.
    static readonly KeyValuePair<string, object?>[] ClassTags =
        FashionMnist.ClassNames.Select(name => new KeyValuePair<string, object?>("class", name)).ToArray();
    static readonly KeyValuePair<string, object?>[] ReasonTags =
        Enum.GetValues<RejectionReason>().Select(r => new KeyValuePair<string, object?>("reason", Lower(r))).ToArray();
    static readonly KeyValuePair<string, object?>[] StageTags =
        Enum.GetValues<PredictionStage>().Select(s => new KeyValuePair<string, object?>("stage", Lower(s))).ToArray();

    readonly Counter<long> predictions, rejected, trainingJobs, reloads, reloadFailures;
    readonly Histogram<double> predictionDuration, epochDuration;
    readonly Histogram<int> batchSize;

    readonly IMeterFactory meterFactory;
    readonly Lock lastJobSync = new();
    Meter? lastJobMeter;

    // What the observed instruments report; replaced whole, read on scrape.
    volatile ModelManifest? serving;
    volatile IReadOnlyList<EpochMetrics> lastJobEpochs = [];

    public FashionApiMetrics(IMeterFactory meterFactory, TrainingJobQueue queue)
    {
        this.meterFactory = meterFactory;
        var meter = meterFactory.Create(MeterName);

        predictions = meter.CreateCounter<long>("fashionapi.predictions", "{prediction}", "Images classified, by predicted class");
        predictionDuration = meter.CreateHistogram("fashionapi.prediction.duration", "s",
            "Time in each stage of a prediction: preprocess (decode and fit one uploaded image), forward (the model, one pass over a request's images)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        batchSize = meter.CreateHistogram("fashionapi.prediction.batch_size", "{image}", "Images per forward pass (1 for POST /predict)",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = ImageBuckets });
        rejected = meter.CreateCounter<long>("fashionapi.requests.rejected", "{request}", "Requests refused (4xx, or 503 when the service cannot answer yet), by reason");

        trainingJobs = meter.CreateCounter<long>("fashionapi.training.jobs", "{job}", "Training jobs finished, by outcome");
        epochDuration = meter.CreateHistogram("fashionapi.training.epoch.duration", "s", "Wall-clock time of one training epoch",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        meter.CreateObservableGauge("fashionapi.training.queue.length", () => queue.QueuedCount, "{job}", "Training jobs waiting to run");

        meter.CreateObservableGauge("fashionapi.model.test_accuracy", ServingAccuracy, "1", "Test accuracy of the model serving now");
        meter.CreateObservableGauge("fashionapi.model.active.info", ServingInfo, null,
            "Always 1, labelled with the version and implementation of the model serving now");
        reloads = meter.CreateCounter<long>("fashionapi.model.reloads", "{reload}", "Active models loaded from disk, at start-up or after another process changed active.json");
        reloadFailures = meter.CreateCounter<long>("fashionapi.model.reload.failures", "{reload}", "Attempts to load an active model from disk that failed; the previous model kept serving");
    }

    /// <summary>One forward pass classified <paramref name="labels"/> in <paramref name="elapsed"/>.</summary>
    public void Predicted(ReadOnlySpan<int> labels, TimeSpan elapsed)
    {
        foreach (int label in labels) predictions.Add(1, ClassTags[label]);
        batchSize.Record(labels.Length);
        predictionDuration.Record(elapsed.TotalSeconds, StageTags[(int)PredictionStage.Forward]);
    }

    /// <summary>Time spent decoding and fitting one uploaded image, since <paramref name="startTimestamp"/>
    /// (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void Preprocessed(long startTimestamp) =>
        predictionDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, StageTags[(int)PredictionStage.Preprocess]);

    /// <summary>A request was refused for <paramref name="reason"/>.</summary>
    public void Rejected(RejectionReason reason) => rejected.Add(1, ReasonTags[(int)reason]);

    /// <summary>A job starts: the per-epoch gauges now follow it.</summary>
    public void TrainingStarted()
    {
        lock (lastJobSync)
        {
            lastJobMeter?.Dispose();
            lastJobEpochs = [];
            lastJobMeter = new Meter(new MeterOptions(LastJobMeterName) { Scope = meterFactory });
            lastJobMeter.CreateObservableGauge("fashionapi.training.last_job.loss", () => EpochValues(e => e.Loss), null,
                "Mean training loss per epoch of the running or last training job");
            lastJobMeter.CreateObservableGauge("fashionapi.training.last_job.accuracy", LastJobAccuracy, "1",
                "Accuracy per epoch of the running or last training job, on the training (split=train) and test (split=test) sets");
        }
    }

    public void EpochCompleted(EpochMetrics epoch)
    {
        epochDuration.Record(epoch.Seconds);
        lastJobEpochs = [.. lastJobEpochs, epoch];
    }

    public void TrainingFinished(TrainingJobStatus outcome) =>
        trainingJobs.Add(1, new KeyValuePair<string, object?>("outcome", Lower(outcome)));

    /// <summary>The model that serves from now on (called on every switch).</summary>
    public void Serving(ModelManifest manifest) => serving = manifest;

    public void Reloaded() => reloads.Add(1);
    public void ReloadFailed() => reloadFailures.Add(1);

    public void Dispose()
    {
        lock (lastJobSync) lastJobMeter?.Dispose();
    }

    IEnumerable<Measurement<double>> EpochValues(Func<EpochMetrics, double> value) =>
        lastJobEpochs.Select(e => new Measurement<double>(value(e), new KeyValuePair<string, object?>("epoch", e.Epoch)));

    IEnumerable<Measurement<double>> LastJobAccuracy() =>
        lastJobEpochs.SelectMany(e => new[]
        {
            new Measurement<double>(e.TrainAccuracy, new("epoch", e.Epoch), new("split", "train")),
            new Measurement<double>(e.TestAccuracy, new("epoch", e.Epoch), new("split", "test")),
        });

    IEnumerable<Measurement<double>> ServingAccuracy() =>
        serving is { } model ? [new Measurement<double>(model.Evaluation.TestAccuracy)] : [];

    IEnumerable<Measurement<int>> ServingInfo() =>
        serving is { } model ? [new Measurement<int>(1, new("version", model.Version), new("implementation", Lower(model.Implementation)))] : [];

    static string Lower<T>(T value) where T : struct, Enum => CamelCaseEnumConverter.Name(value);
}
