/**
 * jcni's libcni: loads CNI network configurations and runs their plugins, exec'd or in-process, as Go's libcni does.
 *
 * <p>The exported packages are the API: the {@code CniRuntime} façade for embedding runtimes, {@code CniConfig},
 * results and {@code CniException}, version negotiation, the in-process plugin contract ({@code CniPlugin},
 * {@code PluginRegistry}) and {@code PluginInvoker}. Packages named {@code internal} are jcni's own (JSON codecs,
 * the exec protocol, the result cache) and are exported only to jcni's other modules.
 */
// "module not found" for the qualified exports: the modules they name are built after this one
@SuppressWarnings("module")
module io.jcni.libcni {
  requires transitive com.fasterxml.jackson.databind;  // JsonNode/ObjectNode appear in CniPlugin and results
  requires com.google.common;
  requires org.apache.commons.exec;

  exports io.jcni.libcni;
  exports io.jcni.libcni.invoke;
  exports io.jcni.libcni.runtime;
  exports io.jcni.libcni.spi;
  exports io.jcni.libcni.types;
  exports io.jcni.libcni.version;

  exports io.jcni.libcni.internal.cache to io.jcni.plugins, io.jcni.demo;
  exports io.jcni.libcni.internal.invoke to io.jcni.plugins, io.jcni.demo;
  exports io.jcni.libcni.internal.json to io.jcni.plugins, io.jcni.demo;
  exports io.jcni.libcni.internal.runtime to io.jcni.plugins, io.jcni.demo;
  exports io.jcni.libcni.internal.spi to io.jcni.plugins, io.jcni.demo;
  exports io.jcni.libcni.internal.types to io.jcni.plugins, io.jcni.demo;

  // IpNet is read and written by Jackson through @JsonCreator/@JsonValue
  opens io.jcni.libcni.types to com.fasterxml.jackson.databind;

  uses io.jcni.libcni.spi.CniPlugin;  // PluginRegistry.discover()
  uses io.jcni.libcni.internal.cache.DirectoryChanges.Provider;  // the result cache's watch (jcni-plugins: inotify)
}
