using System.Runtime.InteropServices;
using FashionApi.Hosting;

namespace FashionApi.Tests.Hosting;

public class NativeHeapTests
{
    [Fact]
    public void The_mmap_threshold_is_fixed_where_the_C_library_is_glibc()
    {
        bool glibc = OperatingSystem.IsLinux() && !RuntimeInformation.RuntimeIdentifier.Contains("musl");
        Assert.Equal(glibc, NativeHeap.ReturnLargeBlocksToTheSystem());
    }
}
