using System.Runtime.InteropServices;
using BroadcastGrains.Host.Operations;

namespace BroadcastGrains.Tests.Operations;

public sealed class NativeHeapTrimTests
{
    [Fact]
    public void Free_native_heap_below_live_blocks_is_given_back_on_glibc()
    {
        // The idle silo's resident memory was mostly this (bench (d), run 12): blocks freed by native code that
        // glibc kept because live blocks sat above them. Our machines (Debian, the Dockerfile's image) are glibc.
        Assert.True(OperatingSystem.IsLinux() && !RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal),
            "this test expects glibc");
        const int size = 48 * 1024;
        var fill = new byte[size];
        Array.Fill(fill, (byte)1);
        var blocks = new IntPtr[1024];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(size);
            Marshal.Copy(fill, 0, blocks[i], size);
        }
        var above = Marshal.AllocHGlobal(size);
        try
        {
            foreach (var block in blocks) Marshal.FreeHGlobal(block);
            Assert.True(NativeHeapTrim.Run());
        }
        finally
        {
            Marshal.FreeHGlobal(above);
        }
    }
}
