var lenta = [
  {nid: 301, date: "26.11.2026", title: "Хурал принял закон о сельских старостах"},
  {nid: 302, date: "25.11.2026", title: "Депутаты обсудили подготовку к отопительному сезону"},
  {nid: 303, date: "24.11.2026", title: "Председатель Хурала провёл приём граждан в Кяхте"}
];
var html = "";
for (var i = 0; i < lenta.length; i++) {
  html += '<div class="lenta-item"><span class="lenta-date">' + lenta[i].date + '</span> ' +
          '<a href="/view.php?nid=' + lenta[i].nid + '">' + lenta[i].title + '</a></div>';
}
document.getElementById("lenta").innerHTML = html;
