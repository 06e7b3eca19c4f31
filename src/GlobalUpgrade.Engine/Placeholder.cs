namespace GlobalUpgrade; internal static class Placeholder {}
