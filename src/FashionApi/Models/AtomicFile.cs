using System.Runtime.InteropServices;

namespace FashionApi.Models;

/// <summary>Writes that a crash cannot leave half-done: the bytes go to a temporary file beside the target, are flushed
/// to the disk, and only then renamed over it (rename is atomic within a file system). The directory is flushed after
/// the rename too, so the new name itself survives a power cut.</summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, CreateOwnerOnly))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            FlushDirectory(Path.GetDirectoryName(path)!);
        }
        finally
        {
            File.Delete(temporary); // no-op once renamed
        }
    }

    /// <summary>New files are readable by the service's user only (0600), like the store's directories.</summary>
    static readonly FileStreamOptions CreateOwnerOnly = OperatingSystem.IsWindows()
        ? new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None }
        : new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };

    /// <summary>Renames a directory and flushes the directory it now lives in.</summary>
    public static void MoveDirectory(string from, string to)
    {
        Directory.Move(from, to);
        FlushDirectory(Path.GetDirectoryName(to)!);
    }

    /// <summary>fsync on a directory: makes the names created or renamed in it durable. .NET has no API for it (a
    /// directory cannot be opened as a FileStream), hence the two libc calls. Windows commits renames by itself.</summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int descriptor = open(directory, OpenReadOnly); // a directory opens read-only like a file
        if (descriptor < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Could not open {directory} to flush it (errno {errno}).", errno); // HResult = errno, as .NET's own
        }
        try
        {
            if (fsync(descriptor) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"Could not flush {directory} to disk (errno {errno}).", errno);
            }
        }
        finally
        {
            close(descriptor);
        }
    }

    const int OpenReadOnly = 0; // O_RDONLY

    [DllImport("libc", SetLastError = true)]
    static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    static extern int fsync(int descriptor);

    [DllImport("libc")]
    static extern int close(int descriptor);
}
