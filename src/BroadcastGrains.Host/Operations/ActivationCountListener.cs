using System.Diagnostics.Metrics;

namespace BroadcastGrains.Host.Operations;

/// <summary>
/// Follows Orleans' activation count (the <c>orleans-catalog-activations</c> instrument) without exporting it,
/// so the memory trimmer can tell when idle grains were collected. Only differences are used, so it does not
/// matter whether Orleans publishes the count as a gauge or as an up/down counter.
/// </summary>
public sealed class ActivationCountListener : IDisposable
{
    private const string InstrumentName = "orleans-catalog-activations";
    private readonly MeterListener _listener = new();
    private long _value;

    public ActivationCountListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OrleansMetricSelection.MeterName && instrument.Name == InstrumentName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Record(instrument, value));
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Record(instrument, value));
        _listener.Start();
    }

    public long Read()
    {
        _listener.RecordObservableInstruments();
        return Interlocked.Read(ref _value);
    }

    private void Record(Instrument instrument, long value)
    {
        if (instrument.IsObservable) Interlocked.Exchange(ref _value, value);
        else Interlocked.Add(ref _value, value);
    }

    public void Dispose() => _listener.Dispose();
}
