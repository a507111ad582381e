namespace FashionApi.Storage;

/// <summary>Writes that a crash cannot leave half-done: the bytes go to a temporary file beside the target, are flushed
/// to the disk, and only then renamed over it (rename is atomic within a file system).</summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // no-op once renamed
        }
    }
}
