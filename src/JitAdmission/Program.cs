Console.Error.WriteLine("jit-admission: composition root not wired yet");
return 2;
