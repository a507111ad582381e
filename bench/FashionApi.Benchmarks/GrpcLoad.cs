using System.Diagnostics;
using FashionApi.Dataset;
using Google.Protobuf;
using Grpc.Net.Client;
using Inference;

namespace FashionApi.Benchmarks;

/// <summary>A small gRPC load generator for the Open Inference Protocol (no ghz here): a fixed number of ModelInfer
/// calls in flight on one HTTP/2 connection, each 256 test images as UINT8 raw contents, for a fixed time.</summary>
public static class GrpcLoad
{
    const int BatchSize = 256;

    public static async Task<int> RunAsync(string address, FashionMnistSplit test, double seconds, int calls, string measurements)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new ModelInferRequest
        {
            ModelName = "fashion-mnist",
            Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "pixels", Datatype = "UINT8", Shape = { BatchSize, FashionMnist.PixelCount } } },
            RawInputContents = { ByteString.CopyFrom(test.Pixels.AsSpan(0, BatchSize * FashionMnist.PixelCount)) },
        };
        for (int i = 0; i < 200; i++) await client.ModelInferAsync(request); // warm-up, not measured

        var latencies = new List<double>[calls];
        int failed = 0;
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, calls).Select(async caller =>
        {
            var mine = latencies[caller] = [];
            while (clock.Elapsed < end)
            {
                long started = Stopwatch.GetTimestamp();
                var response = await client.ModelInferAsync(request);
                if (response.RawOutputContents.Count != 3) Interlocked.Increment(ref failed);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        double perSecond = all.Count / elapsed;
        File.AppendAllLines(measurements,
        [
            $"grpc_infer_requests_per_second={perSecond:F1}",
            $"grpc_infer_p50_ms={all[all.Count / 2]:F2}",
            $"grpc_infer_p99_ms={all[(int)(all.Count * 0.99)]:F2}",
            $"grpc_infer_options={calls} calls in flight, {seconds:0} s",
        ]);
        Console.Error.WriteLine($"[bench] gRPC ModelInfer: {all.Count:N0} calls in {elapsed:F1} s = {perSecond * BatchSize:N0} images/s, " +
                                $"p50 {all[all.Count / 2]:F2} ms, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
