package io.jcni.libcni.internal.invoke;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.exec.ProcessDestroyer;

/**
 * The processes one run of an external program owns, killed together on demand: the program, its descendants, and
 * every other process holding the write end of its stdout or stderr pipe.
 *
 * <p>Commons Exec hands the started process to this {@link ProcessDestroyer}. Descendants are listed before the
 * kill, because once a parent dies its children are re-parented and leave the tree. A process that was orphaned
 * earlier (a double fork) is no descendant any more, but while it holds the program's output pipe it is found by
 * that pipe in {@code /proc}: only the program and what it started can hold that pipe's write end. An orphan that
 * also let go of the pipe is not found.
 */
final class ProcessTree implements ProcessDestroyer {
  private static final int O_ACCMODE = 3;

  private Process process; // guarded by this
  private Set<String> outputPipes = Set.of(); // guarded by this; e.g. "pipe:[1234]"
  private boolean killed; // guarded by this

  @Override
  public synchronized boolean add(Process started) {
    process = started;
    outputPipes = outputPipes(started.pid());
    if (killed) {
      killNow();
    }
    return true;
  }

  @Override
  public boolean remove(Process finished) {
    return true;
  }

  @Override
  public synchronized int size() {
    return process == null ? 0 : 1;
  }

  /** The process started, or {@code null} when none was (yet). */
  synchronized Process process() {
    return process;
  }

  /** Kills (SIGKILL) every process of the tree now, or the program as soon as it starts. */
  synchronized void kill() {
    killed = true;
    if (process != null) {
      killNow();
    }
  }

  private void killNow() {
    Set<ProcessHandle> doomed = new LinkedHashSet<>();
    doomed.add(process.toHandle());
    process.descendants().forEach(doomed::add);
    for (ProcessHandle writer : pipeWriters(outputPipes)) {
      doomed.add(writer);
      writer.descendants().forEach(doomed::add);
    }
    doomed.forEach(ProcessHandle::destroyForcibly);
  }

  /** The anonymous pipes on fds 1 and 2 of {@code pid}. */
  private static Set<String> outputPipes(long pid) {
    Set<String> pipes = new HashSet<>();
    for (String fd : new String[] {"1", "2"}) {
      String target = link(Path.of("/proc", Long.toString(pid), "fd", fd));
      if (target != null && target.startsWith("pipe:")) {
        pipes.add(target);
      }
    }
    return pipes;
  }

  /** Processes other than this one with one of {@code pipes} open for writing. */
  private static Set<ProcessHandle> pipeWriters(Set<String> pipes) {
    Set<ProcessHandle> writers = new LinkedHashSet<>();
    if (pipes.isEmpty()) {
      return writers;
    }
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        long pid = Long.parseLong(proc.getFileName().toString());
        if (pid != self && writesTo(proc, pipes)) {
          ProcessHandle.of(pid).ifPresent(writers::add);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no /proc to search: the descendants are all we can find
    }
    return writers;
  }

  private static boolean writesTo(Path proc, Set<String> pipes) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
      for (Path fd : fds) {
        if (pipes.contains(link(fd)) && openForWriting(proc.resolve("fdinfo").resolve(fd.getFileName()))) {
          return true;
        }
      }
    } catch (IOException e) {
      // the process ended while we looked
    }
    return false;
  }

  private static boolean openForWriting(Path fdinfo) throws IOException {
    for (String line : Files.readAllLines(fdinfo)) {
      if (line.startsWith("flags:")) {
        return (Integer.parseInt(line.substring("flags:".length()).trim(), 8) & O_ACCMODE) != 0;
      }
    }
    return false;
  }

  private static String link(Path p) {
    try {
      return Files.readSymbolicLink(p).toString();
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }
}
