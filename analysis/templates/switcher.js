// The edition switcher keeps the reader's place: the link (to this page in the other edition) gets the
// section being read (the last heading in the top quarter of the window or above it) and, as a
// fallback, its chapter, found on the other edition. Both engines' pages run this script, at the end
// of <body> (analysis/render.py: report.html's switcher-js; analysis/quarto.py: post-render).
(function () {
  function place() {
    var heads = document.querySelectorAll('main h1[id], main h2[id], main h3[id]');
    var here = null, chapter = null, top = Math.max(80, window.innerHeight / 4);
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].getBoundingClientRect().top > top) break;
      here = heads[i];
      if (heads[i].tagName === 'H1') chapter = heads[i];
    }
    return here ? {id: here.id, chapter: chapter ? chapter.id : here.id} : null;
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a[data-tengw-edition]') : null;
    var at = a && place();
    if (!at) return;
    a.setAttribute('href', a.getAttribute('href').replace(/[?#].*$/, '') +
      '?chapter=' + encodeURIComponent(at.chapter) + '#' + encodeURIComponent(at.id));
  }, true);
  // The bar stays on top of the window: a section the reader jumps to lands below it, however many
  // lines the bar takes at this width (and below Quarto's own bar where that is fixed on top).
  var bar = document.querySelector('.topbar');
  function pad() {
    var style = bar && getComputedStyle(bar);
    if (!style || style.position !== 'sticky') return;
    document.documentElement.style.scrollPaddingTop =
      Math.ceil(bar.getBoundingClientRect().height + (parseFloat(style.top) || 0) + 8) + 'px';
  }
  pad();
  window.addEventListener('resize', pad);
  // Arriving from another edition: go to the section again, now below the bar, or, if the section is
  // not in this one, to its chapter.
  var want = decodeURIComponent(location.hash.slice(1));
  var chapter = new URLSearchParams(location.search).get('chapter');
  var target = want && (document.getElementById(want) || (chapter && document.getElementById(chapter)));
  if (target) target.scrollIntoView();
})();
