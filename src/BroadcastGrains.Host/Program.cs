using BroadcastGrains.Host.Composition;

BroadcastApp.Build(args).Run();
