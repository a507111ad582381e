using FashionApi.Dataset;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Dataset;

public class RealDatasetTests
{
    [Fact]
    public void Fashion_mnist_has_the_published_shape()
    {
        var data = TestData.FashionMnist;
        Assert.Equal(60_000, data.Train.Count);
        Assert.Equal(10_000, data.Test.Count);
        Assert.Equal(60_000 * 784, data.Train.Pixels.Length);
        Assert.Equal(10_000 * 784, data.Test.Pixels.Length);
    }

    [Fact]
    public void First_training_label_is_an_ankle_boot_as_the_tutorial_prints()
    {
        var data = TestData.FashionMnist;
        Assert.Equal(9, data.Train.Labels[0]);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[data.Train.Labels[0]]);
    }

    [Fact]
    public void Every_class_has_6000_training_and_1000_test_images()
    {
        var data = TestData.FashionMnist;
        Assert.All(data.Train.Labels.CountBy(l => l), c => Assert.Equal(6000, c.Value));
        Assert.All(data.Test.Labels.CountBy(l => l), c => Assert.Equal(1000, c.Value));
    }
}
