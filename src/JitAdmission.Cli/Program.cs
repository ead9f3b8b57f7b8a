Console.Error.WriteLine("kubectl-jit: not wired yet");
return 2;
