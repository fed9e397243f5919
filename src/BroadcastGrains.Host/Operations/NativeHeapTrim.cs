using System.Runtime.InteropServices;

namespace BroadcastGrains.Host.Operations;

/// <summary>
/// Hands free native heap back to the operating system. glibc's malloc keeps what native code freed (zlib's
/// deflate state per gzipped batch, OpenSSL's buffers per connection and per key operation) in its arenas and
/// releases it only from the top of the main heap, so after a burst a silo's resident memory stays high long after
/// the managed heap shrank. <c>malloc_trim(0)</c> releases every arena's free pages; elsewhere (musl, other
/// platforms) there is nothing to call and this does nothing.
/// </summary>
public static class NativeHeapTrim
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Returns whether glibc gave memory back (false where the call does not exist or released nothing).</summary>
    public static bool Run()
    {
        if (_unavailable) return false;
        try
        {
            return MallocTrim(0) != 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return false;
        }
    }

    // DllImport, not LibraryImport: an int and a size need no marshalling, and the generator would want unsafe code.
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
