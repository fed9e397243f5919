using System.Net.Sockets;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Traces;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;

namespace BroadcastGrains.Tests.Traces;

/// <summary>
/// The outbox append inside a destination grain throws <see cref="IngestUnavailableException"/>; it reaches the
/// ingest endpoint through an Orleans grain call, so it must survive Orleans' serializer (another silo) and its
/// deep copier (a grain on this silo) with its reason and Retry-After, and still be recognised as storage trouble.
/// </summary>
public sealed class IngestUnavailableExceptionSerializationTests
{
    private static readonly ServiceProvider Services = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(IngestUnavailableException).Assembly))
        .Configure<ExceptionSerializationOptions>(StorageFaults.CarryOverGrainCalls) // as SiloSetup configures the silo
        .BuildServiceProvider();

    private static IngestUnavailableException Original() =>
        new("storage", "Storage is unavailable; retry shortly.", TimeSpan.FromSeconds(5),
            new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)));

    [Fact]
    public void It_survives_serialization_between_silos()
    {
        var serializer = Services.GetRequiredService<Serializer>();
        var back = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(Original()));

        var unavailable = Assert.IsType<IngestUnavailableException>(back);
        Assert.Equal("storage", unavailable.Reason);
        Assert.Equal(5, unavailable.RetryAfterSeconds);
        Assert.Equal("Storage is unavailable; retry shortly.", unavailable.Message);
        Assert.Same(unavailable, StorageFaults.AsUnavailable(new AggregateException(back)));
    }

    [Fact]
    public void A_raw_Npgsql_fault_from_a_grain_on_another_silo_is_still_storage_trouble()
    {
        var serializer = Services.GetRequiredService<Serializer>();
        var thrown = new PostgresException("the database system is shutting down", "FATAL", "FATAL", "57P03");
        var back = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(new InvalidOperationException("activation failed", thrown)));

        Assert.Equal("storage", StorageFaults.AsUnavailable(back!)!.Reason);
    }

    [Fact]
    public void It_survives_the_deep_copy_of_a_call_within_a_silo()
    {
        var copier = Services.GetRequiredService<DeepCopier>();
        var copy = copier.Copy<Exception>(Original());

        var unavailable = Assert.IsType<IngestUnavailableException>(copy);
        Assert.Equal("storage", unavailable.Reason);
        Assert.Equal(5, unavailable.RetryAfterSeconds);
    }
}
