package io.jcni.demo;

/** The {@code jcni} command line. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.err.println("jcni: not built yet");
    System.exit(2);
  }
}
