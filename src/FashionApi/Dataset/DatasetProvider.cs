namespace FashionApi.Dataset;

/// <summary>Loads Fashion-MNIST once, on first use, and hands the same in-memory copy to every training job.</summary>
public sealed class DatasetProvider(DatasetLocator locator, ILogger<DatasetProvider> logger)
{
    readonly SemaphoreSlim gate = new(1, 1);
    FashionMnist? dataset;

    public async Task<FashionMnist> GetAsync(CancellationToken cancellationToken)
    {
        if (dataset is not null) return dataset;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (dataset is null)
            {
                string directory = await locator.LocateAsync(cancellationToken);
                var loaded = await Task.Run(() => FashionMnist.Load(directory), cancellationToken);
                logger.LogInformation("Fashion-MNIST loaded: {Train:N0} training and {Test:N0} test images",
                    loaded.Train.Count, loaded.Test.Count);
                dataset = loaded;
            }
            return dataset;
        }
        finally
        {
            gate.Release();
        }
    }
}
