/* Search over the Pagefind index (pagefind/). Over http(s) Pagefind's own ES module is imported;
   from file:// (where browsers refuse module imports and fetch()) a classic-script copy of it is
   loaded and its index files come from small scripts in pagefind/file/ through a fetch shim.
   Results are built with textContent / DOM nodes only; the one HTML string Pagefind returns
   (the excerpt) is parsed into text plus <mark>, so nothing from an index can run. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var rootUrl = new URL(form.getAttribute("data-root") || "./", location.href);
  var pfBase = new URL("pagefind/", rootUrl);
  var isFile = location.protocol === "file:";
  var ready = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = function () { s.remove(); resolve(); };
      s.onerror = function () { s.remove(); reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
  }

  function fileMode() {
    var store = {};
    var waiting = {};
    window.__cwPagefindData = function (name, b64) {
      var bin = atob(b64), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      store[name] = bytes;
    };
    var realFetch = window.fetch ? window.fetch.bind(window) : null;
    window.fetch = function (resource, init) {
      var url = String(resource && resource.url ? resource.url : resource);
      var at = url.indexOf("pagefind/");
      if (at < 0) return realFetch ? realFetch(resource, init) : Promise.reject(new Error("no fetch"));
      var name = url.slice(at + "pagefind/".length).split("?")[0];
      if (store[name]) return Promise.resolve(new Response(store[name]));
      var file = new URL("file/" + name.split("/").join("__").replace(/[^A-Za-z0-9._-]/g, "_") + ".js", pfBase).href;
      waiting[name] = waiting[name] || loadScript(file);
      return waiting[name].then(function () {
        if (!store[name]) throw new Error("missing index file " + name);
        return new Response(store[name]);
      });
    };
    window.__cwPagefindUrl = new URL("pagefind.js", pfBase).href;
    return loadScript(new URL("file/pagefind-file.js", pfBase).href).then(function () {
      if (!window.__cwPagefind) {
        throw new Error((window.__cwPagefindError || "the file:// search bundle is missing") +
          ". Serve the site folder instead, e.g. python -m http.server");
      }
      return window.__cwPagefind;
    });
  }

  function load() {
    if (!ready) {
      ready = (isFile ? fileMode() : import(new URL("pagefind.js", pfBase).href)).then(function (pf) {
        return pf.options({ basePath: pfBase.href, baseUrl: "/", noWorker: isFile, excerptLength: 40 })
          .then(function () { return pf.init ? pf.init() : null; })
          .then(function () { return pf; });
      });
    }
    return ready;
  }

  function excerptNodes(html) {
    // Pagefind escapes page text and adds <mark>; rebuild it from text so only <mark> survives.
    var frag = document.createDocumentFragment();
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    doc.body.firstChild.childNodes.forEach(function (n) {
      if (n.nodeType === 1 && n.nodeName === "MARK") {
        var m = document.createElement("mark"); m.textContent = n.textContent; frag.appendChild(m);
      } else {
        frag.appendChild(document.createTextNode(n.textContent));
      }
    });
    return frag;
  }

  function pageHref(url) {
    return new URL(String(url).replace(/^\/+/, ""), rootUrl).href;
  }

  function run(q) {
    list.textContent = "";
    if (!q.trim()) { status.textContent = ""; return; }
    status.textContent = "Searching…";
    load().then(function (pf) { return pf.search(q); }).then(function (res) {
      var shown = res.results.slice(0, 30);
      return Promise.all(shown.map(function (r) { return r.data(); })).then(function (items) {
        status.textContent = res.results.length + " version" + (res.results.length === 1 ? "" : "s") + " match “" + q + "”" +
          (res.results.length > shown.length ? " (first " + shown.length + " shown)" : "");
        items.forEach(function (d) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = pageHref(d.url);
          a.textContent = (d.meta && d.meta.title) || d.url;
          var p = document.createElement("p");
          p.appendChild(excerptNodes(d.excerpt || ""));
          li.appendChild(a); li.appendChild(p); list.appendChild(li);
        });
      });
    }).catch(function (e) {
      status.textContent = "Search is unavailable: " + e.message;
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value;
    try { history.replaceState(null, "", "?q=" + encodeURIComponent(q)); } catch (e) { /* file:// may refuse */ }
    run(q);
  });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; run(initial); }
})();
