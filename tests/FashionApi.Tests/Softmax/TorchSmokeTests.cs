using static TorchSharp.torch;

namespace FashionApi.Tests.Softmax;

public class TorchSmokeTests
{
    [Fact]
    public void A_tensor_operation_runs()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var product = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
    }
}
