using System.Runtime.InteropServices;

namespace FashionApi.Hosting;

/// <summary>
/// Makes the C library give large freed blocks back to the operating system. glibc's malloc serves blocks above its
/// mmap threshold with their own mappings, unmapped when freed, but raises that threshold (up to 32 MiB) each time such
/// a block is freed; after that, blocks of that size come from its heaps and stay with the process when freed. Image
/// decoding allocates such blocks outside the .NET heap for requests with large images, so after thousands of hostile
/// requests the process kept tens of megabytes it no longer used (bench/run.sh, ten passes of the hostile corpus:
/// RSS +98 and +101 MiB before, +64 to +81 MiB with the threshold fixed). At 1 MiB the presets' per-minibatch tensors
/// (256 × 784 floats, just under it) stay in the heap, where reusing them costs no page faults; jobs with batches of
/// 335 and more pay for mapping theirs each step (README, "Hostile input").
/// </summary>
public static class NativeHeap
{
    const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD in malloc.h
    public const int MmapThresholdBytes = 1024 * 1024;

    /// <summary>Fixes glibc's mmap threshold; false where there is no glibc (then nothing changes).</summary>
    public static bool ReturnLargeBlocksToTheSystem()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(MmapThresholdParameter, MmapThresholdBytes) == 1; // 1 is success, 0 an unknown parameter (musl)
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc")]
    static extern int mallopt(int parameter, int value);
}
