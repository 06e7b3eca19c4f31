namespace GlobalUpgrade.Commands; internal static class Placeholder {}
